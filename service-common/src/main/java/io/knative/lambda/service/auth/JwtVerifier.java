package io.knative.lambda.service.auth;

import java.io.IOException;
import java.util.List;

import org.jose4j.jwa.AlgorithmConstraints;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.MalformedClaimException;
import org.jose4j.jwt.consumer.ErrorCodes;
import org.jose4j.jwt.consumer.InvalidJwtException;
import org.jose4j.jwt.consumer.JwtConsumer;
import org.jose4j.jwt.consumer.JwtConsumerBuilder;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * Verifies the bearer JWT of a request with jose4j: an RS256 or ES256 signature by a key of the issuer's JWKS (no
 * other algorithm, never {@code none}), {@code iss}, {@code exp} (required) and {@code nbf} within the clock skew,
 * then {@code aud} and {@code sub} against {@link OidcSettings}. A token that is missing or not valid is 401; a valid
 * one for another audience or of a subject not allowed is 403; keys that cannot be fetched are 503. Plain Java.
 */
public final class JwtVerifier {

    private final OidcSettings settings;
    private final JwtConsumer consumer;

    /** @param keys the issuer's verification keys ({@link JwksKeys}) */
    public JwtVerifier(OidcSettings settings, VerificationKeyResolver keys) {
        this.settings = settings;
        this.consumer = new JwtConsumerBuilder()
                .setRequireExpirationTime()
                .setRequireSubject()
                .setAllowedClockSkewInSeconds((int) settings.clockSkew().toSeconds())
                .setExpectedIssuer(true, settings.issuer())
                .setSkipDefaultAudienceValidation()
                .setVerificationKeyResolver(keys)
                .setJwsAlgorithmConstraints(AlgorithmConstraints.ConstraintType.PERMIT,
                        AlgorithmIdentifiers.RSA_USING_SHA256, AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256)
                .build();
    }

    /**
     * The subject of the request's token.
     *
     * @param authorization the {@code Authorization} header, or {@code null}
     * @throws AuthenticationException 401, 403 or 503, as above
     */
    public String verify(String authorization) throws AuthenticationException {
        String token = BearerToken.of(authorization);
        if (token == null) {
            throw AuthenticationException.unauthorized("send an OIDC token for audience " + settings.audience()
                    + " as Authorization: Bearer <token>");
        }
        JwtClaims claims;
        try {
            claims = consumer.processToClaims(token);
        } catch (InvalidJwtException e) {
            throw refusal(e);
        }
        try {
            String subject = claims.getSubject();
            List<String> audiences = claims.getAudience();
            if (!audiences.contains(settings.audience())) {
                throw AuthenticationException.forbidden("the token is for audience " + audiences + ", not "
                        + settings.audience());
            }
            if (!settings.allows(subject)) {
                throw AuthenticationException.forbidden("subject " + subject + " may not send events to this service");
            }
            return subject;
        } catch (MalformedClaimException e) {
            throw AuthenticationException.unauthorized("the token's sub or aud claim is malformed");
        }
    }

    private AuthenticationException refusal(InvalidJwtException e) {
        for (Throwable c = e.getCause(); c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (c instanceof IOException) {
                return new AuthenticationException(503, "AuthUnavailable", "the issuer's keys cannot be fetched now; retry");
            }
        }
        String why;
        if (e.hasExpired()) {
            why = "the token has expired";
        } else if (e.hasErrorCode(ErrorCodes.NOT_BEFORE_MISSING) || e.hasErrorCode(ErrorCodes.NOT_YET_VALID)) {
            why = "the token is not valid yet";
        } else if (e.hasErrorCode(ErrorCodes.ISSUER_INVALID) || e.hasErrorCode(ErrorCodes.ISSUER_MISSING)) {
            why = "the token is not issued by " + settings.issuer();
        } else if (e.hasErrorCode(ErrorCodes.EXPIRATION_MISSING)) {
            why = "the token has no expiry (exp)";
        } else if (e.hasErrorCode(ErrorCodes.SUBJECT_MISSING)) {
            why = "the token has no subject (sub)";
        } else if (e.hasErrorCode(ErrorCodes.SIGNATURE_INVALID)) {
            why = "the token's signature is not valid";
        } else if (e.getCause() instanceof UnresolvableKeyException) {
            why = "the token is not signed by a key the issuer publishes";
        } else if (e.getCause() instanceof org.jose4j.lang.InvalidAlgorithmException) {
            why = "the token is not signed with RS256 or ES256";
        } else {
            why = "the token is not a valid signed JWT";
        }
        return AuthenticationException.unauthorized(why);
    }
}
