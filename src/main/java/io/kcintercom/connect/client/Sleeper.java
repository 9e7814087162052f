package io.kcintercom.connect.client;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/** Waits that end early, with {@link ClientStoppedException}, when the task stops. */
public final class Sleeper {
    private final CountDownLatch stopped = new CountDownLatch(1);

    public void sleep(long millis) {
        if (millis <= 0) {
            checkRunning();
            return;
        }
        try {
            if (stopped.await(millis, TimeUnit.MILLISECONDS)) {
                throw new ClientStoppedException();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ClientStoppedException();
        }
    }

    public void checkRunning() {
        if (stopped.getCount() == 0) {
            throw new ClientStoppedException();
        }
    }

    public boolean isStopped() {
        return stopped.getCount() == 0;
    }

    public void stop() {
        stopped.countDown();
    }
}
