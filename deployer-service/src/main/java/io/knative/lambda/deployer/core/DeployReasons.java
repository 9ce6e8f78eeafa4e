package io.knative.lambda.deployer.core;

import io.knative.lambda.events.FailureReason;

/**
 * The stable {@code reason} codes of {@code deploy.failed} that the deployer itself decides (Knative's
 * own condition reasons, such as {@code RevisionFailed}, pass through unchanged).
 */
public final class DeployReasons {

    /** The build.completed or rollback.requested data is not what the catalogue says. */
    public static final String INVALID_EVENT = FailureReason.INVALID_EVENT.code();
    /** The function id, kind or scope does not make a valid Kubernetes name or label. */
    public static final String INVALID_FUNCTION_ID = FailureReason.INVALID_FUNCTION_ID.code();
    /** A per-function setting is malformed or out of bounds. */
    public static final String INVALID_SETTINGS = InvalidSettingsException.REASON;
    /** A Service or Trigger of that name exists but is not knative-lambda's, or belongs to another scope. */
    public static final String NAME_TAKEN = "NameTaken";
    /** A rollback names a function that has no Service. */
    public static final String FUNCTION_NOT_FOUND = "FunctionNotFound";
    /** A rollback's function id matches Services of several kinds. */
    public static final String AMBIGUOUS_FUNCTION = "AmbiguousFunction";
    /** A rollback names a revision or image that the function's Service has no revision of. */
    public static final String REVISION_NOT_FOUND = "RevisionNotFound";
    /** The Service did not become Ready within the configured bound. */
    public static final String READY_TIMEOUT = FailureReason.READY_TIMEOUT.code();

    private DeployReasons() {
    }
}
