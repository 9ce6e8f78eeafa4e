package io.knative.lambda.builder.it;

import java.util.Map;

import io.knative.lambda.testsupport.TokenIssuer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** A real OpenID token issuer on loopback, and the builder configured to accept only its Trigger's tokens. */
public class TokenIssuerResource implements QuarkusTestResourceLifecycleManager {

    static final String AUDIENCE = "knative-lambda-builder";
    static final String TRIGGER = "system:serviceaccount:knative-lambda:builder-s3-object-created-oidc-eventing.knative.dev-trigger";
    static TokenIssuer issuer;

    @Override
    public Map<String, String> start() {
        issuer = TokenIssuer.start();
        return Map.of("klambda.auth.oidc.issuer", issuer.url(), "klambda.auth.oidc.audience", AUDIENCE,
                "klambda.auth.oidc.allowed-subjects", TRIGGER);
    }

    @Override
    public void stop() {
        issuer.close();
    }
}
