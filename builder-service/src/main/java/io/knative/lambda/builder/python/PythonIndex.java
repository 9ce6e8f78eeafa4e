package io.knative.lambda.builder.python;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The package index, as pip is configured to use it: the main index URL and the extra ones, with the credentials from
 * the environment or a Secret. Also reads a project's page of the PEP 503 "simple" API, to tell for certain why pip
 * found nothing to install: no such project, only source distributions, or no wheel for the platform.
 *
 * @param url       the main index, e.g. {@code https://pypi.org/simple}
 * @param extraUrls further indexes
 * @param username  user for the main index, or {@code null}
 * @param password  password or token for the main index, or {@code null}; never logged
 */
public record PythonIndex(String url, List<String> extraUrls, String username, String password, Duration timeout) {

    private static final Pattern LINK = Pattern.compile("<a\\s[^>]*>([^<]+)</a>", Pattern.CASE_INSENSITIVE);

    public PythonIndex {
        extraUrls = List.copyOf(extraUrls);
    }

    /** The main index's URL with the credentials in it, as pip takes it ({@code PIP_INDEX_URL}). */
    String urlWithCredentials() {
        if (username == null || password == null) {
            return url;
        }
        URI u = URI.create(url);
        String userInfo = encode(username) + ":" + encode(password);
        return u.getScheme() + "://" + userInfo + "@" + u.getRawAuthority() + (u.getRawPath() == null ? "" : u.getRawPath());
    }

    /** The index URLs without credentials, for the cache key. */
    List<String> urls() {
        List<String> all = new ArrayList<>();
        all.add(strip(url));
        extraUrls.forEach(u -> all.add(strip(u)));
        return all;
    }

    /**
     * The file names a project's page lists on the first index that has it; empty when no index has the project.
     *
     * @throws IOException when an index cannot be reached, answers 5xx, or refuses the credentials
     */
    Optional<List<String>> files(String project) throws IOException {
        List<String> indexes = new ArrayList<>();
        indexes.add(url);
        indexes.addAll(extraUrls);
        HttpClient http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NORMAL).build();
        for (int i = 0; i < indexes.size(); i++) {
            URI base = URI.create(indexes.get(i).endsWith("/") ? indexes.get(i) : indexes.get(i) + "/");
            URI page = URI.create(base.getScheme() + "://" + base.getRawAuthority().replaceFirst("^.*@", "")
                    + base.getRawPath() + project + "/");
            HttpRequest.Builder request = HttpRequest.newBuilder(page).timeout(timeout).header("Accept", "text/html");
            String auth = i == 0 && username != null && password != null ? username + ":" + password
                    : base.getRawUserInfo() == null ? null : decode(base.getRawUserInfo());
            if (auth != null) {
                request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(auth.getBytes(StandardCharsets.UTF_8)));
            }
            HttpResponse<String> response;
            try {
                response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (response.statusCode() == 404) {
                continue;
            }
            if (response.statusCode() != 200) {
                throw new IOException(page.getHost() + " answered " + response.statusCode() + " for " + page.getPath());
            }
            List<String> files = new ArrayList<>();
            Matcher m = LINK.matcher(response.body());
            while (m.find()) {
                files.add(m.group(1).strip());
            }
            return Optional.of(files);
        }
        return Optional.empty();
    }

    private static String strip(String u) {
        return u.replaceFirst("^([a-zA-Z][a-zA-Z0-9+.-]*://)[^/@]+@", "$1");
    }

    private static String encode(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "PythonIndex[" + urls() + ", username=" + (username == null ? "-" : username) + ", password="
                + (password == null ? "-" : "***") + "]";
    }
}
