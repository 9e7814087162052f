package io.kcintercom.connect.testutil;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures every log event of the JVM while it runs: a log4j2 appender on every logger config
 * at ALL (log4j2 is SLF4J's provider in tests) and a java.util.logging handler (OkHttp logs
 * there).
 */
public final class LogCapture {
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private AbstractAppender appender;
    private final java.util.Map<LoggerConfig, Level> previousLevels = new java.util.LinkedHashMap<>();
    private Handler julHandler;
    private java.util.logging.Level previousJulLevel;

    public static LogCapture start() {
        return start(Level.ALL);
    }

    /** Captures events at {@code level} and above (ALL for a unit test; INFO for a whole worker). */
    public static LogCapture start(Level level) {
        LogCapture capture = new LogCapture();
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        capture.appender = new AbstractAppender("token-capture", null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                StringBuilder line = new StringBuilder()
                        .append(event.getLevel()).append(' ').append(event.getLoggerName()).append(' ')
                        .append(event.getMessage().getFormattedMessage());
                if (event.getThrown() != null) {
                    StringWriter trace = new StringWriter();
                    event.getThrown().printStackTrace(new PrintWriter(trace));
                    line.append('\n').append(trace);
                }
                capture.lines.add(line.toString());
            }
        };
        capture.appender.start();
        // Every logger config (the root and any named one, additive or not) logs everything to
        // the capture while it runs; their levels are put back by stop().
        List<LoggerConfig> loggerConfigs = new ArrayList<>(config.getLoggers().values());
        if (!loggerConfigs.contains(config.getRootLogger())) {
            loggerConfigs.add(config.getRootLogger());
        }
        for (LoggerConfig loggerConfig : loggerConfigs) {
            capture.previousLevels.put(loggerConfig, loggerConfig.getLevel());
            loggerConfig.addAppender(capture.appender, level, null);
            loggerConfig.setLevel(level);
        }
        context.updateLoggers();

        java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        capture.previousJulLevel = julRoot.getLevel();
        capture.julHandler = new Handler() {
            @Override
            public void publish(LogRecord record) {
                String message = new java.util.logging.SimpleFormatter().formatMessage(record);
                capture.lines.add(record.getLevel() + " " + record.getLoggerName() + " " + message
                        + (record.getThrown() == null ? "" : " " + record.getThrown()));
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        capture.julHandler.setLevel(java.util.logging.Level.ALL);
        julRoot.addHandler(capture.julHandler);
        julRoot.setLevel(java.util.logging.Level.ALL);
        return capture;
    }

    public void stop() {
        LoggerContext context = (LoggerContext) LogManager.getContext(false);
        previousLevels.forEach((loggerConfig, level) -> {
            loggerConfig.removeAppender(appender.getName());
            loggerConfig.setLevel(level);
        });
        context.updateLoggers();
        appender.stop();
        java.util.logging.Logger julRoot = java.util.logging.Logger.getLogger("");
        julRoot.removeHandler(julHandler);
        julRoot.setLevel(previousJulLevel);
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }
}
