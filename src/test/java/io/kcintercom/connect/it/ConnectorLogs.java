package io.kcintercom.connect.it;

import io.kcintercom.connect.logging.LogContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The connector's own log lines (loggers under io.kcintercom.connect, INFO and above) while a test
 * runs, each exactly once: one appender on the one logger config that handles them, so that a
 * test can count lines (testutil.LogCapture listens on every config, where an additive logger's
 * event arrives twice). Given a connector name, lines logged in another connector's context
 * ({@code connector.context}) are left out: a connector deleted by the previous test may still be
 * stopping, and its tasks log against a fake already closed.
 */
final class ConnectorLogs implements AutoCloseable {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final LoggerConfig config;
    private final AbstractAppender appender;

    ConnectorLogs() {
        this(null);
    }

    /** @param connector the connector whose lines to keep (and lines without a context), or null for all */
    ConnectorLogs(String connector) {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        config = context.getConfiguration().getLoggerConfig("io.kcintercom.connect.metrics.ResourceHealth");
        appender = new AbstractAppender("connector-logs-" + System.nanoTime(), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                Object logContext = event.getContextData().getValue(LogContext.KEY);
                boolean another = connector != null && logContext != null
                        && !String.valueOf(logContext).startsWith("[" + connector + "|");
                if (event.getLoggerName().startsWith("io.kcintercom.connect") && !another) {
                    lines.add(event.getLevel() + " " + event.getMessage().getFormattedMessage());
                }
            }
        };
        appender.start();
        config.addAppender(appender, org.apache.logging.log4j.Level.INFO, null);
        context.updateLoggers();
    }

    /** "LEVEL message" lines, in order. */
    List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    @Override
    public void close() {
        config.removeAppender(appender.getName());
        appender.stop();
        ((LoggerContext) LogManager.getContext(false)).updateLoggers();
    }
}
