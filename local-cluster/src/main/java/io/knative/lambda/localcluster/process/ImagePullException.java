package io.knative.lambda.localcluster.process;

/** A function image that could not be pulled or unpacked; knows which image. */
public final class ImagePullException extends Exception {

    private final String image;

    public ImagePullException(String image, String message, Throwable cause) {
        super("cannot pull " + image + ": " + message, cause);
        this.image = image;
    }

    public String image() {
        return image;
    }
}
