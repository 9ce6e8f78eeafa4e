package io.knative.lambda.events;

/** The CloudEvent types of the Knative Lambda event catalogue, in one place (producers and data: docs/design.md). */
public final class EventTypes {

    /** Prefix of every S3 event type in the CloudEvents AWS-S3 adapter format. */
    public static final String S3_PREFIX = "com.amazonaws.s3.";
    /** Prefix of the S3 object-created types: {@code ObjectCreated:Put}, {@code :Post}, {@code :Copy}, ... */
    public static final String S3_OBJECT_CREATED_PREFIX = S3_PREFIX + "ObjectCreated:";
    /** Prefix of the S3 object-removed types: {@code ObjectRemoved:Delete}, {@code :DeleteMarkerCreated}. */
    public static final String S3_OBJECT_REMOVED_PREFIX = S3_PREFIX + "ObjectRemoved:";

    public static final String BUILD_REQUESTED = "io.knative.lambda.build.requested";
    public static final String BUILD_COMPLETED = "io.knative.lambda.build.completed";
    public static final String BUILD_FAILED = "io.knative.lambda.build.failed";
    public static final String DEPLOY_COMPLETED = "io.knative.lambda.deploy.completed";
    public static final String DEPLOY_FAILED = "io.knative.lambda.deploy.failed";
    public static final String FUNCTION_DELETED = "io.knative.lambda.function.deleted";
    public static final String ROLLBACK_REQUESTED = "io.knative.lambda.rollback.requested";
    public static final String INVOKE = "io.knative.lambda.invoke";
    public static final String RESPONSE_SUCCESS = "io.knative.lambda.response.success";
    public static final String RESPONSE_ERROR = "io.knative.lambda.response.error";

    /** CloudEvent source of the events the builder emits. */
    public static final String SOURCE_BUILDER = "/knative-lambda/builder";
    /** CloudEvent source of the events the deployer emits. */
    public static final String SOURCE_DEPLOYER = "/knative-lambda/deployer";
    /** CloudEvent source of the S3 notification adapter when it cannot derive the AWS-S3 adapter source. */
    public static final String SOURCE_S3_ADAPTER = "/knative-lambda/s3-notifications";

    private EventTypes() {
    }

    /** The CloudEvent source of a function's response events. */
    public static String functionSource(String functionId) {
        return "/knative-lambda/functions/" + functionId;
    }

    public static boolean isS3ObjectCreated(String type) {
        return type != null && type.startsWith(S3_OBJECT_CREATED_PREFIX) && type.length() > S3_OBJECT_CREATED_PREFIX.length();
    }

    public static boolean isS3ObjectRemoved(String type) {
        return type != null && type.startsWith(S3_OBJECT_REMOVED_PREFIX) && type.length() > S3_OBJECT_REMOVED_PREFIX.length();
    }
}
