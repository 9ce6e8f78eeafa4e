package io.knative.lambda.service.retry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.DelayQueue;
import java.util.concurrent.Delayed;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.jboss.logging.Logger;

/**
 * Reads a service's retry records from the retry topic and attempts each at its due time, without holding anything
 * else up: records wait in memory (a delay queue), not in the consumer, so a record due in five minutes does not
 * stop one due now; due records run on a small pool. An offset is committed only once every record before it in its
 * partition is done, so a restart re-reads (and re-attempts, duplicate-safe) what was not. Other services' records
 * are passed over. Reading pauses while too many records wait.
 */
public final class RetryLoop implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(RetryLoop.class);
    /** Records held in memory at most before reading pauses. */
    static final int MAX_WAITING = 10_000;
    /** When an attempt's outcome could not be put on Kafka, how long until it is tried again. */
    static final Duration AGAIN_AFTER = Duration.ofSeconds(5);

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String topic;
    private final String group;
    private final Consumer<ConsumerRecord<byte[], byte[]>> attempt;
    private final Clock clock;
    private final DelayQueue<Due> due = new DelayQueue<>();
    private final ExecutorService workers;
    private final Map<TopicPartition, TreeSet<Long>> pending = new HashMap<>();
    private final Map<TopicPartition, Long> next = new HashMap<>();
    private final Thread poller;
    private final Thread timer;
    private volatile boolean running = true;

    /**
     * @param consumer a consumer of the retry topic in the service's retry group, auto-commit off
     * @param group    the service's group: records whose {@code klambda-retry-for} names another are passed over
     * @param attempt  what to do with a due record (it must not throw; failures are its to handle)
     */
    public RetryLoop(KafkaConsumer<byte[], byte[]> consumer, String topic, String group, int workers,
            Consumer<ConsumerRecord<byte[], byte[]>> attempt, Clock clock) {
        this.consumer = consumer;
        this.topic = topic;
        this.group = group;
        this.attempt = attempt;
        this.clock = clock;
        this.workers = Executors.newFixedThreadPool(workers, r -> daemon(r, "retry-attempt"));
        this.poller = daemon(this::poll, "retry-poll");
        this.timer = daemon(this::fire, "retry-timer");
    }

    /** Starts reading and attempting. */
    public RetryLoop start() {
        poller.start();
        timer.start();
        return this;
    }

    private void poll() {
        try {
            consumer.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    commit(true);
                    synchronized (pending) {
                        partitions.forEach(p -> {
                            pending.remove(p);
                            next.remove(p);
                        });
                    }
                    due.removeIf(d -> partitions.contains(d.partition()));
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    // read on from the committed offsets
                }
            });
            while (running) {
                for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
                    boolean ours = group.equals(RetryRecords.retryFor(r.headers()));
                    synchronized (pending) {
                        next.put(tp, r.offset() + 1);
                        if (ours) {
                            pending.computeIfAbsent(tp, p -> new TreeSet<>()).add(r.offset());
                        }
                    }
                    if (ours) {
                        due.add(new Due(r, tp, RetryRecords.notBefore(r.headers())));
                    }
                }
                commit(false);
                if (due.size() > MAX_WAITING) {
                    consumer.pause(consumer.assignment());
                } else if (!consumer.paused().isEmpty() && due.size() < MAX_WAITING / 2) {
                    consumer.resume(consumer.paused());
                }
            }
        } catch (WakeupException stopping) {
            // close()
        } catch (RuntimeException e) {
            LOG.errorf(e, "the retry topic %s cannot be read any more; retries stop until the service restarts", topic);
        } finally {
            commit(true);
            consumer.close(Duration.ofSeconds(5));
        }
    }

    private void fire() {
        while (running) {
            Due d;
            try {
                d = due.take();
            } catch (InterruptedException e) {
                return;
            }
            workers.execute(() -> {
                try {
                    attempt.accept(d.record());
                } catch (RuntimeException e) {
                    // its outcome is not on Kafka (Kafka down?): the record stays pending (uncommitted) and is tried again
                    LOG.warnf("retry of record %s-%d not completed, trying again in %d s: %s", d.partition(),
                            d.record().offset(), AGAIN_AFTER.toSeconds(), e.getMessage());
                    due.add(new Due(d.record(), d.partition(), clock.instant().plus(AGAIN_AFTER)));
                    return;
                }
                synchronized (pending) {
                    TreeSet<Long> offsets = pending.get(d.partition());
                    if (offsets != null) {
                        offsets.remove(d.record().offset());
                    }
                }
            });
        }
    }

    /** Commits, per partition, up to the first record not done yet. */
    private void commit(boolean sync) {
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        synchronized (pending) {
            next.forEach((tp, end) -> {
                TreeSet<Long> open = pending.get(tp);
                offsets.put(tp, new OffsetAndMetadata(open == null || open.isEmpty() ? end : open.first()));
            });
        }
        if (offsets.isEmpty()) {
            return;
        }
        try {
            if (sync) {
                consumer.commitSync(offsets, Duration.ofSeconds(5));
            } else {
                consumer.commitAsync(offsets, null);
            }
        } catch (RuntimeException e) {
            LOG.debugf("commit of retry offsets failed (re-read after a restart): %s", e.getMessage());
        }
    }

    /** How many records wait for their time. */
    public int waiting() {
        return due.size();
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        timer.interrupt();
        workers.shutdown();
        try {
            poller.join(10_000);
            workers.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /** A record and when it is due. */
    private final class Due implements Delayed {
        private final ConsumerRecord<byte[], byte[]> record;
        private final TopicPartition partition;
        private final Instant at;

        Due(ConsumerRecord<byte[], byte[]> record, TopicPartition partition, Instant at) {
            this.record = record;
            this.partition = partition;
            this.at = at;
        }

        ConsumerRecord<byte[], byte[]> record() {
            return record;
        }

        TopicPartition partition() {
            return partition;
        }

        @Override
        public long getDelay(TimeUnit unit) {
            return unit.convert(Duration.between(clock.instant(), at).toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public int compareTo(Delayed other) {
            return Long.compare(getDelay(TimeUnit.MILLISECONDS), other.getDelay(TimeUnit.MILLISECONDS));
        }
    }
}
