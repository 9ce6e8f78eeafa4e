package io.knative.lambda.events;

/**
 * Stable reason codes of {@code build.failed} and {@code deploy.failed} events, the builder's and the
 * deployer's in one place. The code (the constant's {@link #code()}) is the interface: alert on it, never
 * on the human message. A {@code deploy.failed} may also carry Knative's own condition reason (such as
 * {@code RevisionFailed}), passed through unchanged.
 */
public enum FailureReason {
    /** The S3 object (or its bucket) does not exist. */
    SOURCE_NOT_FOUND("SourceNotFound", false),
    /** The S3 server refused access to the object (403). */
    SOURCE_ACCESS_DENIED("SourceAccessDenied", false),
    /** The object is larger than the configured limit. */
    SOURCE_TOO_LARGE("SourceTooLarge", false),
    /** The S3 server could not be reached or answered 5xx. */
    SOURCE_UNAVAILABLE("SourceUnavailable", true),
    /** The key is not {@code {scope}/{kind}/{id}[.ext]} with valid names. */
    INVALID_FUNCTION_ID("InvalidFunctionId", false),
    /** {@code {kind}-{id}} is longer than the 63 characters a Kubernetes name allows. */
    FUNCTION_NAME_TOO_LONG("FunctionNameTooLong", false),
    /** The extension or the {@code runtime} metadata names no runtime the platform has. */
    UNSUPPORTED_RUNTIME("UnsupportedRuntime", false),
    /** The source does not compile. */
    COMPILE_ERROR("CompileError", false),
    /** The event is not what the catalogue says it should be (missing bucket or key, bad JSON). */
    INVALID_EVENT("InvalidEvent", false),
    /** The registry refused the configured credentials. */
    REGISTRY_UNAUTHORIZED("RegistryUnauthorized", false),
    /** The configured runtime base image does not exist. */
    BASE_IMAGE_NOT_FOUND("BaseImageNotFound", false),
    /** The registry could not be reached or answered 5xx. */
    REGISTRY_UNAVAILABLE("RegistryUnavailable", true),
    /** An uploaded archive is unsafe, corrupt, over a limit or not what its extension says; the message names the entry. */
    INVALID_ARCHIVE("InvalidArchive", false),
    /** {@code function.yaml} (or {@code requirements.txt}) has an unknown key, a wrong type or an out-of-range value. */
    INVALID_MANIFEST("InvalidManifest", false),
    /** Several files or classes could be the function's entry point; the message lists them. */
    AMBIGUOUS_ENTRY_POINT("AmbiguousEntryPoint", false),
    /** No file or class is the function's entry point; the message lists what was found. */
    ENTRY_POINT_NOT_FOUND("EntryPointNotFound", false),
    /** A dependency exists only in a form the builder will not install (a source distribution, no wheel for the platform). */
    DEPENDENCY_NOT_INSTALLABLE("DependencyNotInstallable", false),
    /** The dependencies cannot be resolved (no such package or version, conflicting requirements). */
    DEPENDENCY_RESOLUTION_FAILED("DependencyResolutionFailed", false),
    /** The package index or Maven repository could not be reached or answered 5xx. */
    DEPENDENCY_INDEX_UNAVAILABLE("DependencyIndexUnavailable", true),
    /** A per-function setting (object metadata such as {@code max-scale}) is malformed or out of bounds. */
    INVALID_SETTINGS("InvalidSettings", false),
    /** A Service or Trigger of the function's name exists and is not this scope's knative-lambda function. */
    NAME_TAKEN("NameTaken", false),
    /**
     * A {@code build.completed} the deployer cannot trust: no valid signature of the builder's key, or an image outside
     * the builder's registry repository of that function. Nothing is written.
     */
    UNVERIFIED("Unverified", false),
    /** A rollback names a function that has no Service. */
    FUNCTION_NOT_FOUND("FunctionNotFound", false),
    /** A rollback's function id matches Services of several kinds. */
    AMBIGUOUS_FUNCTION("AmbiguousFunction", false),
    /** A rollback names a revision, or an image, that the function's Service has no revision of. */
    REVISION_NOT_FOUND("RevisionNotFound", false),
    /** Knative reports the Service not Ready without giving a reason of its own. */
    NOT_READY("NotReady", false),
    /** The Knative Service was deleted while the deployer waited for it to become Ready. */
    SERVICE_DELETED("ServiceDeleted", true),
    /** The Knative Service did not become Ready within the configured bound. */
    READY_TIMEOUT("ReadyTimeout", true),
    /** Anything the platform did not foresee; the message says what. */
    INTERNAL_ERROR("InternalError", true);

    private final String code;
    private final boolean retryable;

    FailureReason(String code, boolean retryable) {
        this.code = code;
        this.retryable = retryable;
    }

    /** The stable code carried in the event's {@code reason} field. */
    public String code() {
        return code;
    }

    /** Whether the same input may succeed later without a change by a person. */
    public boolean retryable() {
        return retryable;
    }
}
