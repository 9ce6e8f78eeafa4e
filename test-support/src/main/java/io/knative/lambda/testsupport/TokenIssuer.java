package io.knative.lambda.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

import org.jose4j.jwk.EcJwkGenerator;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.jwk.RsaJwkGenerator;
import org.jose4j.jws.AlgorithmIdentifiers;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.keys.EllipticCurves;
import org.jose4j.lang.JoseException;

import com.sun.net.httpserver.HttpServer;

/**
 * An OpenID token issuer for tests, on a free loopback port: real RSA and EC keys, a discovery document at
 * {@code /.well-known/openid-configuration} and the public keys at {@code /jwks}, and real signed JWTs. The keys it
 * publishes can be rotated; tokens can be signed with a key it does not publish, or not signed at all.
 */
public final class TokenIssuer implements AutoCloseable {

    private final HttpServer server;
    private final List<PublicJsonWebKey> published = new ArrayList<>();
    private final AtomicInteger jwksRequests = new AtomicInteger();
    private final AtomicInteger kids = new AtomicInteger();

    private TokenIssuer(HttpServer server) {
        this.server = server;
    }

    /** An issuer with one RSA (RS256) and one EC P-256 (ES256) key. */
    public static TokenIssuer start() {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
            TokenIssuer issuer = new TokenIssuer(server);
            issuer.published.add(issuer.newRsaKey());
            issuer.published.add(issuer.newEcKey());
            server.createContext("/.well-known/openid-configuration", exchange -> {
                byte[] body = ("{\"issuer\":\"" + issuer.url() + "\",\"jwks_uri\":\"" + issuer.url() + "/jwks\"}")
                        .getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.createContext("/jwks", exchange -> {
                issuer.jwksRequests.incrementAndGet();
                byte[] body = issuer.jwks().getBytes(StandardCharsets.UTF_8);
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            });
            server.start();
            return issuer;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code http://127.0.0.1:<port>}: the issuer ({@code iss}) of its tokens. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /** How many times the JWKS was fetched. */
    public int jwksRequests() {
        return jwksRequests.get();
    }

    /** Claims valid for ten minutes from now: this issuer, {@code sub}, {@code aud}. */
    public JwtClaims claims(String subject, String audience) {
        JwtClaims claims = new JwtClaims();
        claims.setIssuer(url());
        claims.setSubject(subject);
        claims.setAudience(audience);
        claims.setIssuedAtToNow();
        claims.setNotBeforeMinutesInThePast(1);
        claims.setExpirationTimeMinutesInTheFuture(10);
        return claims;
    }

    /** An RS256 token for {@code subject} and {@code audience}, with the claims changed as {@code change} says. */
    public String token(String subject, String audience, Consumer<JwtClaims> change) {
        JwtClaims claims = claims(subject, audience);
        change.accept(claims);
        return sign(claims, published.get(0), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** A valid RS256 token. */
    public String token(String subject, String audience) {
        return token(subject, audience, c -> { });
    }

    /** A valid ES256 token (the EC key). */
    public String ecToken(String subject, String audience) {
        return sign(claims(subject, audience), published.get(1), AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
    }

    /** A token signed by an RSA key this issuer does not publish, with a key id of its own. */
    public String tokenOfAnUnpublishedKey(String subject, String audience) {
        return sign(claims(subject, audience), newRsaKey(), AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** A token signed by an unpublished key but naming the key id of a published one (a forged signature). */
    public String tokenWithAForgedSignature(String subject, String audience) {
        PublicJsonWebKey forger = newRsaKey();
        forger.setKeyId(published.get(0).getKeyId());
        return sign(claims(subject, audience), forger, AlgorithmIdentifiers.RSA_USING_SHA256);
    }

    /** An unsigned token: header {@code {"alg":"none"}}, valid claims, empty signature. */
    public String unsignedToken(String subject, String audience) {
        java.util.Base64.Encoder b64 = java.util.Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims(subject, audience).toJson().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** Replaces the RSA key by a new one (new key id): tokens signed before no longer verify once the JWKS is fetched again. */
    public void rotateRsaKey() {
        published.set(0, newRsaKey());
    }

    private String sign(JwtClaims claims, PublicJsonWebKey key, String algorithm) {
        JsonWebSignature jws = new JsonWebSignature();
        jws.setPayload(claims.toJson());
        jws.setKey(key.getPrivateKey());
        jws.setKeyIdHeaderValue(key.getKeyId());
        jws.setAlgorithmHeaderValue(algorithm);
        try {
            return jws.getCompactSerialization();
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private String jwks() {
        List<JsonWebKey> keys = new ArrayList<>(published);
        return new JsonWebKeySet(keys).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
    }

    private PublicJsonWebKey newRsaKey() {
        try {
            PublicJsonWebKey key = RsaJwkGenerator.generateJwk(2048);
            key.setKeyId("rsa-" + kids.incrementAndGet());
            key.setAlgorithm(AlgorithmIdentifiers.RSA_USING_SHA256);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    private PublicJsonWebKey newEcKey() {
        try {
            PublicJsonWebKey key = EcJwkGenerator.generateJwk(EllipticCurves.P256);
            key.setKeyId("ec-" + kids.incrementAndGet());
            key.setAlgorithm(AlgorithmIdentifiers.ECDSA_USING_P256_CURVE_AND_SHA256);
            return key;
        } catch (JoseException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
