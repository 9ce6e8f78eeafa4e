package io.knative.lambda.cli.platform;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/** The functions as Knative Services and Revisions: the local cluster's API, or a cluster through kubectl. */
public interface Functions {

    /** Every Knative Service of the namespace, as the API returns it. */
    List<JsonNode> services();

    /** The Revisions of one Service, oldest first. */
    List<JsonNode> revisions(String service);
}
