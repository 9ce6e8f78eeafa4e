package io.knative.lambda.localcluster.api;

import java.util.Locale;

import io.knative.lambda.localcluster.store.ApiException;

/**
 * Who may write to the local cluster: only the holder of its bearer token, the deployer. Anyone else (kubectl, a
 * script) reads only: a write without a token is 403 {@code Forbidden}, as Kubernetes answers an anonymous user, with
 * a message that says how functions change in local mode; a wrong token is 401 {@code Unauthorized}.
 */
final class WriteAccess {

    private static final String HOW = "local mode's Kubernetes API is read-only; only the deployer writes to it. Change"
            + " functions through the bucket (klambda deploy FILE, klambda delete NAME, or an upload to S3)";

    private WriteAccess() {
    }

    /** Passes when {@code authorization} carries the token; else the Status to answer. */
    static void check(BearerToken token, String authorization, String method, String path) {
        if (authorization == null || authorization.isBlank()) {
            throw forbidden(method, ApiPath.parse(path));
        }
        if (!token.allows(authorization)) {
            throw new ApiException(401, "Unauthorized", "Unauthorized: the bearer token is not the local cluster's", null,
                    null);
        }
    }

    private static ApiException forbidden(String method, ApiPath target) {
        String verb = switch (method) {
            case "POST" -> "create";
            case "PUT" -> "update";
            case "DELETE" -> "delete";
            default -> method.toLowerCase(Locale.ROOT);
        };
        if (target == null) {
            return new ApiException(403, "Forbidden", "forbidden: User \"system:anonymous\" cannot " + verb + " here: " + HOW,
                    null, null);
        }
        String resource = target.type().plural() + (target.status() ? "/status" : "");
        String subject = target.type().qualifiedName() + (target.name() == null ? "" : " \"" + target.name() + "\"");
        String where = target.namespace() == null ? "" : " in the namespace \"" + target.namespace() + "\"";
        return new ApiException(403, "Forbidden", subject + " is forbidden: User \"system:anonymous\" cannot " + verb
                + " resource \"" + resource + "\" in API group \"" + target.type().group() + "\"" + where + ": " + HOW,
                target.type(), target.name());
    }
}
