package io.knative.lambda.service.auth;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.jose4j.http.Get;
import org.jose4j.http.SimpleResponse;
import org.jose4j.json.JsonUtil;
import org.jose4j.jwk.HttpsJwks;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.jwx.JsonWebStructure;
import org.jose4j.keys.resolvers.HttpsJwksVerificationKeyResolver;
import org.jose4j.keys.resolvers.VerificationKeyResolver;
import org.jose4j.lang.JoseException;
import org.jose4j.lang.UnresolvableKeyException;

/**
 * The issuer's verification keys, from its JWKS: the configured URL, or the {@code jwks_uri} its OpenID discovery
 * document names (looked up on first use, again after a failure). jose4j's {@link HttpsJwks} caches the keys and
 * fetches them again when a token names a key it does not have (the issuer rotated its keys), at most every
 * 300 ms. Optionally trusts only the certificates of a PEM file.
 */
public final class JwksKeys implements VerificationKeyResolver {

    private final OidcSettings settings;
    private final Get get;
    private HttpsJwksVerificationKeyResolver resolver;

    public JwksKeys(OidcSettings settings) {
        this.settings = settings;
        this.get = new Get();
        get.setConnectTimeout(5_000);
        get.setReadTimeout(10_000);
        settings.caFile().ifPresent(ca -> get.setSslSocketFactory(trusting(ca).getSocketFactory()));
    }

    @Override
    public Key resolveKey(JsonWebSignature jws, List<JsonWebStructure> nestingContext) throws UnresolvableKeyException {
        return resolver().resolveKey(jws, nestingContext);
    }

    private synchronized HttpsJwksVerificationKeyResolver resolver() throws UnresolvableKeyException {
        if (resolver == null) {
            URI jwks = settings.jwksUrl().orElse(null);
            if (jwks == null) {
                jwks = discover();
            }
            HttpsJwks keys = new HttpsJwks(jwks.toString());
            keys.setSimpleHttpGet(get);
            keys.setDefaultCacheDuration(600);
            keys.setRetainCacheOnErrorDuration(300);
            resolver = new HttpsJwksVerificationKeyResolver(keys);
        }
        return resolver;
    }

    private URI discover() throws UnresolvableKeyException {
        String location = settings.issuer().replaceAll("/+$", "") + "/.well-known/openid-configuration";
        try {
            SimpleResponse response = get.get(location);
            if (response.getStatusCode() != 200) {
                throw new UnresolvableKeyException("OpenID discovery at " + location + " answered " + response.getStatusCode(),
                        new IOException("HTTP " + response.getStatusCode()));
            }
            Object uri = JsonUtil.parseJson(response.getBody()).get("jwks_uri");
            if (!(uri instanceof String s) || s.isBlank()) {
                throw new UnresolvableKeyException("the OpenID discovery document at " + location + " names no jwks_uri");
            }
            return URI.create(s);
        } catch (IOException e) {
            throw new UnresolvableKeyException("OpenID discovery at " + location + " failed: " + e.getMessage(), e);
        } catch (JoseException | IllegalArgumentException e) {
            throw new UnresolvableKeyException("the OpenID discovery document at " + location + " is not valid", e);
        }
    }

    private static SSLContext trusting(Path pem) {
        try (InputStream in = Files.newInputStream(pem)) {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate cert : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                store.setCertificateEntry("ca-" + i++, cert);
            }
            if (i == 0) {
                throw new IllegalArgumentException("klambda.auth.oidc.ca-file " + pem + " holds no certificate");
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, tmf.getTrustManagers(), null);
            return context;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("klambda.auth.oidc.ca-file " + pem + " cannot be read: " + e.getMessage(), e);
        }
    }
}
