package io.knative.lambda.builder.core;

import io.knative.lambda.events.BuildCompleted;
import io.knative.lambda.events.BuildFailed;
import io.knative.lambda.events.EventTypes;

/** What a build ended with: an image ({@code build.completed}) or a permanent failure ({@code build.failed}). */
public sealed interface BuildOutcome {

    /** The reply's CloudEvent type. */
    String eventType();

    /** The reply's subject: the function id, or the key when the key names no function. */
    String subject();

    /** The reply's data. */
    Object data();

    /** The image is in the registry; {@code pushed} is false when it already was. */
    record Completed(BuildCompleted event, boolean pushed) implements BuildOutcome {
        @Override
        public String eventType() {
            return EventTypes.BUILD_COMPLETED;
        }

        @Override
        public String subject() {
            return event.functionId();
        }

        @Override
        public Object data() {
            return event;
        }
    }

    /** The build cannot succeed with this input. */
    record Failed(BuildFailed event) implements BuildOutcome {
        @Override
        public String eventType() {
            return EventTypes.BUILD_FAILED;
        }

        @Override
        public String subject() {
            return event.functionId() != null ? event.functionId() : event.key();
        }

        @Override
        public Object data() {
            return event;
        }
    }
}
