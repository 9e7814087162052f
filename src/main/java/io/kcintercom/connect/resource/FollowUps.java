package io.kcintercom.connect.resource;

import io.kcintercom.connect.client.ClientStoppedException;
import io.kcintercom.connect.logging.LogContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.connect.errors.ConnectException;

/**
 * Runs the follow-up requests of one page (contact segments, notes and event summaries;
 * conversation parts) concurrently, at most {@code max.in.flight.requests} at a time, and returns
 * their results in submission order. A {@link FollowUpPlan} decides the requests of each object
 * and gives each result back to its object under its name.
 */
public final class FollowUps implements AutoCloseable {
    private final ExecutorService executor;

    public FollowUps(int maxInFlight, String threadNamePrefix) {
        AtomicInteger counter = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(maxInFlight, runnable -> {
            Thread thread = new Thread(runnable, threadNamePrefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts the calls and returns at once; the results are collected by {@link Submitted#await()}.
     * Calls run in submission order, so a later page's calls queue behind an earlier page's.
     */
    public <T> Submitted<T> submitAll(List<Callable<T>> calls) {
        List<Future<T>> futures = new ArrayList<>(calls.size());
        try {
            for (Callable<T> call : calls) {
                futures.add(executor.submit(LogContext.wrap(call)));
            }
        } catch (RejectedExecutionException e) {
            futures.forEach(f -> f.cancel(true));
            throw new ClientStoppedException();
        }
        return new Submitted<>(futures);
    }

    /** Calls started by {@link #submitAll}. */
    public static final class Submitted<T> {
        private final List<Future<T>> futures;

        private Submitted(List<Future<T>> futures) {
            this.futures = futures;
        }

        public boolean isDone() {
            for (Future<T> future : futures) {
                if (!future.isDone()) {
                    return false;
                }
            }
            return true;
        }

        /**
         * The results in submission order. The first failure cancels the calls still running and
         * is thrown as it was (a {@link RuntimeException}), or wrapped in a {@link ConnectException}.
         */
        public List<T> await() {
            List<T> results = new ArrayList<>(futures.size());
            try {
                for (Future<T> future : futures) {
                    results.add(resultOf(future));
                }
            } catch (RuntimeException e) {
                cancel();
                throw e;
            }
            return results;
        }

        public void cancel() {
            futures.forEach(f -> f.cancel(true));
        }
    }

    /**
     * The result of a call run on another thread, its failure thrown as it was (a
     * {@link RuntimeException}) or wrapped in a {@link ConnectException}; an interrupted wait means
     * the task is stopping.
     */
    static <T> T resultOf(Future<T> future) {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientStoppedException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new ConnectException(e.getCause());
        }
    }

    /**
     * Lets queued calls run out rather than dropping them: they fail fast once the client is
     * stopped, which completes every future the task thread may still be waiting on.
     */
    @Override
    public void close() {
        executor.shutdown();
    }
}
