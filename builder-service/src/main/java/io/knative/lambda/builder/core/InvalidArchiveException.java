package io.knative.lambda.builder.core;

import io.knative.lambda.events.FailureReason;

/** An uploaded archive that is not built from: unsafe, corrupt, over a limit; knows the entry, when one is to blame. */
public final class InvalidArchiveException extends BuildException {

    private final String entry;

    /** @param entry the archive entry at fault as written in the archive, or {@code null} for the archive as a whole */
    public InvalidArchiveException(String archive, String entry, String problem) {
        super(FailureReason.INVALID_ARCHIVE, archive + (entry == null ? "" : ": entry '" + entry + "'") + ": " + problem);
        this.entry = entry;
    }

    public String entry() {
        return entry;
    }
}
