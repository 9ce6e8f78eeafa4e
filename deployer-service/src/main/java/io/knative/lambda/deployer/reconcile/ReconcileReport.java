package io.knative.lambda.deployer.reconcile;

/**
 * What one reconcile pass saw and did.
 *
 * @param listed          objects in the bucket
 * @param invalid         keys that name no function (left alone)
 * @param young           function objects within the grace period (left to their notification)
 * @param upToDate        functions deployed from the object in the bucket
 * @param buildsRequested {@code build.requested} events published
 * @param removed         functions removed because their object is gone
 * @param deferred        actions left for a later pass (the cap, a backoff, a failure)
 * @param error           why the pass decided nothing, or {@code null}
 */
public record ReconcileReport(int listed, int invalid, int young, int upToDate, int buildsRequested, int removed,
        int deferred, String error) {

    /** Counts a pass as it goes. */
    static final class Builder {
        private int listed;
        private int invalid;
        private int young;
        private int upToDate;
        private int buildsRequested;
        private int removed;
        private int deferred;

        void listed(int n) {
            listed = n;
        }

        void invalid() {
            invalid++;
        }

        void young() {
            young++;
        }

        void upToDate() {
            upToDate++;
        }

        void buildRequested() {
            buildsRequested++;
        }

        void removed() {
            removed++;
        }

        void deferred() {
            deferred++;
        }

        ReconcileReport build() {
            return new ReconcileReport(listed, invalid, young, upToDate, buildsRequested, removed, deferred, null);
        }

        ReconcileReport failed(String error) {
            return new ReconcileReport(listed, invalid, young, upToDate, buildsRequested, removed, deferred, error);
        }
    }
}
