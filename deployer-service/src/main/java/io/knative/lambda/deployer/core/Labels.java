package io.knative.lambda.deployer.core;

/** The label and annotation keys the deployer writes on Knative objects, so operators can find and trace functions. */
public final class Labels {

    /** {@code app.kubernetes.io/name}: the service name. */
    public static final String NAME = "app.kubernetes.io/name";
    /** {@code app.kubernetes.io/managed-by}: always {@link #MANAGER}. */
    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    /** The value of {@link #MANAGED_BY}. */
    public static final String MANAGER = "knative-lambda";
    /** The function id (the subject of its events). */
    public static final String FUNCTION_ID = "io.knative.lambda/function-id";
    /** {@code global} or the tenant. */
    public static final String SCOPE = "io.knative.lambda/scope";
    /** The function's kind. */
    public static final String KIND = "io.knative.lambda/kind";
    /** The function's runtime. */
    public static final String RUNTIME = "io.knative.lambda/runtime";

    /** Annotation: sha256 of the source object. */
    public static final String SOURCE_DIGEST = "io.knative.lambda/source-digest";
    /** Annotation: {@code s3://bucket/key} of the source. */
    public static final String SOURCE = "io.knative.lambda/source";
    /** Annotation: the S3 ETag of the object built, which the reconciler compares with the bucket's listing. */
    public static final String SOURCE_ETAG = "io.knative.lambda/source-etag";
    /** Annotation: the id of the {@code build.completed} event that produced the current spec. */
    public static final String BUILD_EVENT_ID = "io.knative.lambda/build-event-id";
    /** Annotation: the image manifest digest the spec runs. */
    public static final String IMAGE_DIGEST = "io.knative.lambda/image-digest";
    /** Annotation: hash of the desired spec and labels; equal hash, no write. */
    public static final String SPEC_HASH = "io.knative.lambda/spec-hash";
    /** Annotation: the highest {@code metadata.generation} whose outcome event was emitted (the dedupe record). */
    public static final String REPORTED_GENERATION = "io.knative.lambda/reported-generation";
    /** Annotation: the type of that outcome event. */
    public static final String REPORTED_OUTCOME = "io.knative.lambda/reported-outcome";
    /** Annotation: the reason of that outcome when it was a failure. */
    public static final String REPORTED_REASON = "io.knative.lambda/reported-reason";
    /** Annotation: the id of the event whose reply carried that outcome. */
    public static final String REPORTED_EVENT = "io.knative.lambda/reported-event-id";

    /** The label selector of every function Service: {@code managed-by=knative-lambda}. */
    public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + MANAGER;

    /** Knative's label naming a Revision's Service. */
    public static final String KNATIVE_SERVICE = "serving.knative.dev/service";
    /** Knative's min-scale annotation. */
    public static final String MIN_SCALE = "autoscaling.knative.dev/min-scale";
    /** Knative's max-scale annotation. */
    public static final String MAX_SCALE = "autoscaling.knative.dev/max-scale";

    private Labels() {
    }
}
