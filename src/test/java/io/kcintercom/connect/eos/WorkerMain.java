package io.kcintercom.connect.eos;

import java.io.IOException;
import org.apache.kafka.connect.cli.ConnectDistributed;

/**
 * Entry point of the Connect worker JVMs the kill tests start: {@link ConnectDistributed}, plus a
 * guard that halts the worker as soon as its standard input closes. The test keeps the worker's
 * stdin open as a pipe, so if the test JVM itself dies (a Surefire timeout, a Ctrl-C) the worker
 * goes with it instead of running on as an orphan.
 */
public final class WorkerMain {
    private WorkerMain() {
    }

    public static void main(String[] args) {
        Thread guard = new Thread(() -> {
            try {
                while (System.in.read() >= 0) {
                    // nothing is ever written; read() returns -1 when the parent goes away
                }
            } catch (IOException ignored) {
                // the pipe broke: the parent is gone too
            }
            Runtime.getRuntime().halt(3);
        }, "eos-orphan-guard");
        guard.setDaemon(true);
        guard.start();
        ConnectDistributed.main(args);
    }
}
