package io.knative.lambda.service.ratelimit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Per-client token buckets: each client may send {@code burst} requests at once and {@code ratePerSecond} a second
 * after that. Plain Java with an injected clock (nanoseconds), so that it is tested without waiting. At most
 * {@code maxClients} buckets are kept (the least recently used is forgotten first), so that a flood of clients
 * cannot fill the memory; a forgotten client starts again with a full bucket.
 */
public final class TokenBuckets {

    /** What a request gets: allowed, or refused with the seconds after which one token will be there. */
    public record Decision(boolean allowed, long retryAfterSeconds) {
    }

    private static final class Bucket {
        double tokens;
        long updated;
    }

    private final double ratePerNano;
    private final double burst;
    private final LongSupplier nanoClock;
    private final Map<String, Bucket> buckets;

    /**
     * @param ratePerSecond tokens added per second (more than 0)
     * @param burst         the bucket's size: requests a client may send at once (at least 1)
     * @param maxClients    buckets kept at most
     * @param nanoClock     the clock, {@code System::nanoTime} outside tests
     */
    public TokenBuckets(double ratePerSecond, int burst, int maxClients, LongSupplier nanoClock) {
        if (!(ratePerSecond > 0) || burst < 1 || maxClients < 1) {
            throw new IllegalArgumentException("rate must be > 0, burst and max clients at least 1 (rate " + ratePerSecond
                    + ", burst " + burst + ", max clients " + maxClients + ")");
        }
        this.ratePerNano = ratePerSecond / 1e9;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.buckets = new LinkedHashMap<>(256, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxClients;
            }
        };
    }

    /** Takes one token from {@code client}'s bucket if it has one. */
    public synchronized Decision tryAcquire(String client) {
        long now = nanoClock.getAsLong();
        Bucket bucket = buckets.get(client);
        if (bucket == null) {
            bucket = new Bucket();
            bucket.tokens = burst;
            bucket.updated = now;
            buckets.put(client, bucket);
        } else {
            bucket.tokens = Math.min(burst, bucket.tokens + (now - bucket.updated) * ratePerNano);
            bucket.updated = now;
        }
        if (bucket.tokens >= 1) {
            bucket.tokens -= 1;
            return new Decision(true, 0);
        }
        double waitNanos = (1 - bucket.tokens) / ratePerNano;
        return new Decision(false, Math.max(1, (long) Math.ceil(waitNanos / 1e9)));
    }

    /** How many clients have a bucket now. */
    public synchronized int clients() {
        return buckets.size();
    }
}
