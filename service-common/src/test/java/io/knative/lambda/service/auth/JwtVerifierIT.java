package io.knative.lambda.service.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import io.knative.lambda.testsupport.LocalProcess;
import io.knative.lambda.testsupport.TokenIssuer;

/** {@link JwtVerifier} and {@link JwksKeys} against a real token issuer on loopback: real keys, real signatures. */
class JwtVerifierIT {

    private static final String AUDIENCE = "knative-lambda-deployer";
    private static final String TRIGGER = "system:serviceaccount:knative-lambda:deployer-build-completedoidc-eventing.knative.dev-trigger";
    private static TokenIssuer issuer;
    private static JwtVerifier verifier;

    @BeforeAll
    static void start() {
        issuer = TokenIssuer.start();
        verifier = verifier(settings(issuer.url(), Optional.empty()));
    }

    @AfterAll
    static void stop() {
        issuer.close();
    }

    private static OidcSettings settings(String issuerUrl, Optional<URI> jwks) {
        return new OidcSettings(issuerUrl, AUDIENCE, List.of(TRIGGER), Duration.ofSeconds(30), jwks, Optional.empty());
    }

    private static JwtVerifier verifier(OidcSettings settings) {
        return new JwtVerifier(settings, new JwksKeys(settings));
    }

    private static AuthenticationException refused(String authorization) {
        return catchThrowableOfType(AuthenticationException.class, () -> verifier.verify(authorization));
    }

    @Test
    void aValidTokenOfTheTriggerIsAcceptedWithItsSubjectRs256AndEs256() throws Exception {
        assertThat(verifier.verify("Bearer " + issuer.token(TRIGGER, AUDIENCE))).isEqualTo(TRIGGER);
        assertThat(verifier.verify("Bearer " + issuer.ecToken(TRIGGER, AUDIENCE))).isEqualTo(TRIGGER);
    }

    @Test
    void noTokenIs401() {
        assertThat(refused(null).status()).isEqualTo(401);
        assertThat(refused("Basic dXNlcjpwYXNz").status()).isEqualTo(401);
        assertThat(refused(null).code()).isEqualTo("Unauthorized");
    }

    @Test
    void anExpiredTokenIs401OnceItIsPastTheSkew() throws Exception {
        String justExpired = issuer.token(TRIGGER, AUDIENCE, c -> {
            c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 600));
            c.setExpirationTimeMinutesInTheFuture(-0.2f);
        });
        assertThat(verifier.verify("Bearer " + justExpired)).as("12 s past exp is within the 30 s skew").isEqualTo(TRIGGER);

        AuthenticationException e = refused("Bearer " + issuer.token(TRIGGER, AUDIENCE, c -> {
            c.setIssuedAt(org.jose4j.jwt.NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 600));
            c.setExpirationTimeMinutesInTheFuture(-5);
        }));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).isEqualTo("the token has expired");
    }

    @Test
    void aTokenNotValidYetOrWithoutExpiryIs401() {
        assertThat(refused("Bearer " + issuer.token(TRIGGER, AUDIENCE, c -> c.setNotBeforeMinutesInThePast(-5))).getMessage())
                .isEqualTo("the token is not valid yet");
        assertThat(refused("Bearer " + issuer.token(TRIGGER, AUDIENCE, c -> c.unsetClaim("exp"))).getMessage())
                .isEqualTo("the token has no expiry (exp)");
    }

    @Test
    void aTokenForAnotherAudienceIs403() {
        AuthenticationException e = refused("Bearer " + issuer.token(TRIGGER, "knative-lambda-builder"));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.code()).isEqualTo("Forbidden");
        assertThat(e.getMessage()).contains("knative-lambda-builder").contains(AUDIENCE);
    }

    @Test
    void aTokenOfAnotherIssuerIs401() {
        AuthenticationException e = refused("Bearer " + issuer.token(TRIGGER, AUDIENCE, c -> c.setIssuer("https://evil.example")));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).isEqualTo("the token is not issued by " + issuer.url());
    }

    @Test
    void aValidTokenOfAnotherSubjectIs403() {
        AuthenticationException e = refused("Bearer " + issuer.token("system:serviceaccount:tenant-b:default", AUDIENCE));
        assertThat(e.status()).isEqualTo(403);
        assertThat(e.getMessage()).contains("system:serviceaccount:tenant-b:default");
    }

    @Test
    void aForgedSignatureUnderAPublishedKeyIdIs401() {
        AuthenticationException e = refused("Bearer " + issuer.tokenWithAForgedSignature(TRIGGER, AUDIENCE));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).isEqualTo("the token's signature is not valid");
    }

    @Test
    void anUnsignedTokenAlgNoneIs401() {
        AuthenticationException e = refused("Bearer " + issuer.unsignedToken(TRIGGER, AUDIENCE));
        assertThat(e.status()).isEqualTo(401);
    }

    @Test
    void aTokenSignedByAKeyTheIssuerDoesNotPublishIs401() {
        AuthenticationException e = refused("Bearer " + issuer.tokenOfAnUnpublishedKey(TRIGGER, AUDIENCE));
        assertThat(e.status()).isEqualTo(401);
        assertThat(e.getMessage()).isEqualTo("the token is not signed by a key the issuer publishes");
    }

    @Test
    void garbageIs401() {
        assertThat(refused("Bearer not.a.jwt").status()).isEqualTo(401);
        assertThat(refused("Bearer x").status()).isEqualTo(401);
    }

    @Test
    void aRotatedKeyIsFetchedWhenATokenNamesIt() throws Exception {
        try (TokenIssuer rotating = TokenIssuer.start()) {
            JwtVerifier v = verifier(settings(rotating.url(), Optional.of(URI.create(rotating.url() + "/jwks"))));
            assertThat(v.verify("Bearer " + rotating.token(TRIGGER, AUDIENCE))).isEqualTo(TRIGGER);
            int fetched = rotating.jwksRequests();

            rotating.rotateRsaKey();
            Thread.sleep(400); // jose4j refetches a JWKS at most every 300 ms on a miss
            assertThat(v.verify("Bearer " + rotating.token(TRIGGER, AUDIENCE))).isEqualTo(TRIGGER);
            assertThat(rotating.jwksRequests()).as("the new key id made it fetch the JWKS again").isEqualTo(fetched + 1);
        }
    }

    @Test
    void anIssuerThatCannotBeReachedIs503NotASilentPass() {
        JwtVerifier unreachable = verifier(settings("http://127.0.0.1:" + LocalProcess.freePort(), Optional.empty()));
        AuthenticationException e = catchThrowableOfType(AuthenticationException.class,
                () -> unreachable.verify("Bearer " + issuer.token(TRIGGER, AUDIENCE)));
        assertThat(e.status()).isEqualTo(503);
        assertThat(e.code()).isEqualTo("AuthUnavailable");
    }
}
