package io.knative.lambda.deployer.core;

import io.knative.lambda.events.DeployCompleted;
import io.knative.lambda.events.DeployFailed;
import io.knative.lambda.events.EventTypes;
import io.knative.lambda.events.FunctionDeleted;

/**
 * What handling one event came to, and the event to answer with: {@code deploy.completed},
 * {@code deploy.failed}, {@code function.deleted}, or none (the outcome was already reported, or there
 * was nothing of ours to act on).
 */
public sealed interface DeployOutcome {

    /** The function id: the subject of the answer. */
    String functionId();

    /** The CloudEvent type to answer with, or {@code null} for no event. */
    String eventType();

    /** The answer's data, or {@code null} for no event. */
    Object data();

    /** The function is Ready on the new (or pinned) revision. */
    record Completed(DeployCompleted event) implements DeployOutcome {
        public String functionId() {
            return event.functionId();
        }

        public String eventType() {
            return EventTypes.DEPLOY_COMPLETED;
        }

        public Object data() {
            return event;
        }
    }

    /** The rollout failed; {@code event.reason()} is Knative's reason or a stable code of the deployer. */
    record Failed(DeployFailed event) implements DeployOutcome {
        public String functionId() {
            return event.functionId();
        }

        public String eventType() {
            return EventTypes.DEPLOY_FAILED;
        }

        public Object data() {
            return event;
        }
    }

    /** The function's Service and Trigger are gone. */
    record Deleted(FunctionDeleted event) implements DeployOutcome {
        public String functionId() {
            return event.functionId();
        }

        public String eventType() {
            return EventTypes.FUNCTION_DELETED;
        }

        public Object data() {
            return event;
        }
    }

    /** Another delivery already emitted the outcome of this rollout (generation): answer with no event. */
    record AlreadyReported(String functionId, String service, long generation, String outcome) implements DeployOutcome {
        public String eventType() {
            return null;
        }

        public Object data() {
            return null;
        }
    }

    /** A removal the bucket contradicts (the object is still there): nothing deleted, no event. */
    record Refused(String functionId, String why) implements DeployOutcome {
        public String eventType() {
            return null;
        }

        public Object data() {
            return null;
        }
    }

    /** Nothing of the deployer's to act on (e.g. a removed object that is not a function); no event. */
    record Ignored(String functionId, String why) implements DeployOutcome {
        public String eventType() {
            return null;
        }

        public Object data() {
            return null;
        }
    }
}
