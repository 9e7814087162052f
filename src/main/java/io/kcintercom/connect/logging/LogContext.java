package io.kcintercom.connect.logging;

import java.util.Map;
import java.util.concurrent.Callable;
import org.slf4j.MDC;

/**
 * Carries Kafka Connect's logging context ({@code connector.context}, e.g. "[intercom|task-0] ")
 * onto the connector's own threads, with the resource added ("[intercom|task-0|users] "), so every
 * log line says which connector, task and resource it is about.
 */
public final class LogContext {
    /** The MDC key Kafka Connect's log patterns print ({@code %X{connector.context}}). */
    public static final String KEY = "connector.context";
    /** The MDC key naming the resource a thread works for, so metrics can attribute requests to it. */
    public static final String RESOURCE_KEY = "intercom.resource";

    private LogContext() {
    }

    /** Sets the current thread's context to the task's, narrowed to a resource. */
    public static void enterResource(Map<String, String> taskContext, String resource) {
        restore(taskContext);
        String base = taskContext == null ? null : taskContext.get(KEY);
        String trimmed = base == null ? "" : base.trim();
        String context = trimmed.startsWith("[") && trimmed.endsWith("]")
                ? trimmed.substring(0, trimmed.length() - 1) + "|" + resource + "] "
                : "[" + resource + "] ";
        MDC.put(KEY, context);
        MDC.put(RESOURCE_KEY, resource);
    }

    /** The resource the current thread works for (carried onto follow-up threads), or null. */
    public static String currentResource() {
        return MDC.get(RESOURCE_KEY);
    }

    /** The current thread's context, to hand to another thread. */
    public static Map<String, String> capture() {
        return MDC.getCopyOfContextMap();
    }

    public static void restore(Map<String, String> context) {
        if (context == null) {
            MDC.clear();
        } else {
            MDC.setContextMap(context);
        }
    }

    /** The callable, run with the context of the thread that wrapped it. */
    public static <T> Callable<T> wrap(Callable<T> callable) {
        Map<String, String> context = capture();
        return () -> {
            Map<String, String> previous = capture();
            restore(context);
            try {
                return callable.call();
            } finally {
                restore(previous);
            }
        };
    }

    /** The runnable, run with the context of the thread that wrapped it. */
    public static Runnable wrap(Runnable runnable) {
        Map<String, String> context = capture();
        return () -> {
            restore(context);
            runnable.run();
        };
    }
}
