package io.knative.lambda.events;

import java.util.regex.Pattern;

/**
 * A function's S3 key, {@code {scope}/{kind}/{id}[.ext]}, parsed and validated (the rules: docs/design.md, "Functions").
 *
 * <p>{@code scope} is {@code global} or a tenant; the function is served as the Knative Service
 * {@code {kind}-{id}}, which must be a DNS-1035 label of at most 63 characters. A key that breaks a
 * rule is refused with {@link InvalidFunctionKeyException}; nothing is truncated or rewritten.
 *
 * @param scope     {@code global} or a tenant id
 * @param kind      the function's kind, such as {@code parser}
 * @param id        the function id, the subject of the function's events
 * @param extension the file extension without the dot ({@code tar.gz} is one extension), or {@code null} when the key
 *                  has none
 */
public record FunctionKey(String scope, String kind, String id, String extension) {

    /** Longest Kubernetes object name that is also a DNS label. */
    public static final int MAX_SERVICE_NAME_LENGTH = 63;

    private static final Pattern DNS_1123_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern DNS_1035_LABEL = Pattern.compile("[a-z]([-a-z0-9]*[a-z0-9])?");
    private static final Pattern EXTENSION = Pattern.compile("[A-Za-z0-9]+");
    private static final String SHAPE = "{scope}/{kind}/{id}[.ext]";
    /** The one extension of two parts: a gzipped tar archive. */
    public static final String TAR_GZ = "tar.gz";

    /** Parses {@code key} (already URL-decoded) or says exactly which rule it breaks. */
    public static FunctionKey parse(String key) throws InvalidFunctionKeyException {
        if (key == null || key.isBlank()) {
            throw invalid(key, "the key is empty; expected " + SHAPE);
        }
        String[] parts = key.split("/", -1);
        if (parts.length != 3) {
            throw invalid(key, "key '" + key + "' has " + parts.length + " segment(s); expected 3: " + SHAPE
                    + ", e.g. global/parser/my-parser");
        }
        String scope = parts[0];
        String kind = parts[1];
        String fileName = parts[2];
        if (!label(scope, DNS_1123_LABEL)) {
            throw invalid(key, "scope '" + scope + "' in key '" + key
                    + "' must be 'global' or a tenant id of lowercase letters, digits and '-' (at most 63)");
        }
        if (!label(kind, DNS_1035_LABEL)) {
            throw invalid(key, "kind '" + kind + "' in key '" + key
                    + "' must be lowercase letters, digits and '-', start with a letter and end with a letter or digit");
        }
        String id = fileName;
        String extension = null;
        int dot = fileName.lastIndexOf('.');
        if (fileName.endsWith("." + TAR_GZ) && fileName.length() > TAR_GZ.length() + 1) {
            id = fileName.substring(0, fileName.length() - TAR_GZ.length() - 1);
            extension = TAR_GZ;
        } else if (dot >= 0) {
            id = fileName.substring(0, dot);
            extension = fileName.substring(dot + 1);
            if (!EXTENSION.matcher(extension).matches()) {
                throw invalid(key, "extension '" + extension + "' in key '" + key + "' must be letters and digits");
            }
        }
        if (!DNS_1123_LABEL.matcher(id).matches()) {
            throw invalid(key, "function id '" + id + "' in key '" + key
                    + "' must be lowercase letters, digits and '-', and start and end with a letter or digit");
        }
        String serviceName = kind + "-" + id;
        if (serviceName.length() > MAX_SERVICE_NAME_LENGTH) {
            throw new InvalidFunctionKeyException(key, FailureReason.FUNCTION_NAME_TOO_LONG,
                    "service name '" + serviceName + "' (kind-id) is " + serviceName.length()
                            + " characters; Kubernetes allows at most " + MAX_SERVICE_NAME_LENGTH
                            + ": shorten the kind or the id");
        }
        return new FunctionKey(scope, kind, id, extension);
    }

    /** The Knative Service (and image repository) name, {@code {kind}-{id}}. */
    public String serviceName() {
        return kind + "-" + id;
    }

    /** The file name of the source, as uploaded: {@code {id}[.ext]}. */
    public String fileName() {
        return extension == null ? id : id + "." + extension;
    }

    /** The key this was parsed from. */
    public String key() {
        return scope + "/" + kind + "/" + fileName();
    }

    private static boolean label(String value, Pattern pattern) {
        return value.length() <= MAX_SERVICE_NAME_LENGTH && pattern.matcher(value).matches();
    }

    private static InvalidFunctionKeyException invalid(String key, String message) {
        return new InvalidFunctionKeyException(key, FailureReason.INVALID_FUNCTION_ID, message);
    }
}
