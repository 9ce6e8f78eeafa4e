package io.knative.lambda.localcluster.api;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;

import io.knative.lambda.localcluster.store.ResourceType;

/**
 * A resource path: {@code /apis/<group>/<version>[/namespaces/<ns>]/<plural>[/<name>[/status]]}; the namespace
 * is {@code null} for a list or watch across namespaces.
 */
record ApiPath(ResourceType type, String namespace, String name, boolean status) {

    /** The parsed path, or {@code null} when it names no served resource. */
    static ApiPath parse(String rawPath) {
        String[] p = rawPath.replaceAll("/+$", "").split("/");
        if (p.length < 5 || !p[0].isEmpty() || !"apis".equals(p[1])) {
            return null;
        }
        int at = 4;
        String namespace = null;
        if ("namespaces".equals(p[4]) && p.length >= 7) {
            namespace = decode(p[5]);
            at = 6;
        }
        ResourceType type = ResourceType.find(p[2], p[3], p[at]);
        if (type == null) {
            return null;
        }
        int rest = p.length - at - 1;
        if (rest == 0) {
            return new ApiPath(type, namespace, null, false);
        }
        if (namespace == null || rest > 2 || rest == 2 && !"status".equals(p[at + 2])) {
            return null;
        }
        return new ApiPath(type, namespace, decode(p[at + 1]), rest == 2);
    }

    boolean isCollection() {
        return name == null;
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
