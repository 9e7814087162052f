package io.kcintercom.connect.faults;

import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.AbstractConfiguration;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * Captures what the connector logs (logger {@code io.kcintercom.connect}, INFO and up as configured
 * in log4j2-test.properties) while open. The binding is log4j-slf4j2-impl, so an appender added to
 * that logger's config sees every event the connector's slf4j loggers emit.
 */
final class LogCapture implements AutoCloseable {
    static final String LOGGER = "io.kcintercom.connect";

    /** One captured event. */
    record Line(Level level, String logger, String message) {
        @Override
        public String toString() {
            return level + " " + logger + " - " + message;
        }
    }

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final AbstractAppender appender;
    private final LoggerConfig loggerConfig;
    private final LoggerContext context;

    LogCapture() {
        context = (LoggerContext) LogManager.getContext(false);
        Configuration config = context.getConfiguration();
        appender = new AbstractAppender("faults-capture-" + UUID.randomUUID(), null, null, true,
                Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(new Line(event.getLevel(), event.getLoggerName(), event.getMessage().getFormattedMessage()));
            }
        };
        appender.start();
        config.addAppender(appender);
        loggerConfig = config.getLoggerConfig(LOGGER);
        if (!loggerConfig.getName().equals(LOGGER)) {
            throw new IllegalStateException("log4j2-test.properties no longer configures the logger " + LOGGER);
        }
        loggerConfig.addAppender(appender, Level.ALL, null);
        context.updateLoggers();
    }

    List<Line> lines() {
        return List.copyOf(lines);
    }

    List<Line> containing(String text) {
        return lines.stream().filter(l -> l.message().contains(text)).toList();
    }

    List<Line> at(Level level) {
        return lines.stream().filter(l -> l.level() == level).toList();
    }

    /** Every match of {@code regex} over all messages, as its groups. */
    List<String[]> matches(String regex) {
        Pattern pattern = Pattern.compile(regex);
        return lines.stream().map(l -> pattern.matcher(l.message())).filter(Matcher::find).map(m -> {
            String[] groups = new String[m.groupCount() + 1];
            for (int i = 0; i <= m.groupCount(); i++) {
                groups[i] = m.group(i);
            }
            return groups;
        }).toList();
    }

    @Override
    public void close() {
        loggerConfig.removeAppender(appender.getName());
        if (context.getConfiguration() instanceof AbstractConfiguration config) {
            config.removeAppender(appender.getName());
        }
        appender.stop();
        context.updateLoggers();
    }
}
