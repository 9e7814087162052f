package io.kcintercom.connect.localstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class StatusBlockTest {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final AtomicLong now = new AtomicLong(0);

    private String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void onATerminalTheBlockIsRedrawnInPlaceAndTextGoesAboveIt() {
        StatusBlock block = new StatusBlock(new PrintStream(bytes, true, StandardCharsets.UTF_8), true, 30_000,
                now::get);
        block.show("syncing", List.of("rows 1", "requests 2"));
        block.show("syncing", List.of("rows 3", "requests 4", "WAITING for the rate limit"));
        assertEquals("rows 1\nrequests 2\n\r\u001b[2A\u001b[Jrows 3\nrequests 4\nWAITING for the rate limit\n",
                output(), "the second frame moves up over the two lines of the first and erases them");

        bytes.reset();
        block.print("Caught up.");
        assertEquals("\r\u001b[3A\u001b[JCaught up.\nrows 3\nrequests 4\nWAITING for the rate limit\n", output());

        bytes.reset();
        block.show("caught up", List.of("x".repeat(200)));
        String frame = output().substring(output().indexOf("\u001b[J") + 3);
        assertEquals(StatusBlock.MAX_WIDTH + 1, frame.length(), "a long line is cut so it cannot wrap: " + frame);
    }

    @Test
    void withoutATerminalPlainLinesOnAPhaseChangeOrOncePerInterval() {
        StatusBlock block = new StatusBlock(new PrintStream(bytes, true, StandardCharsets.UTF_8), false, 30_000,
                now::get);
        block.show("syncing", List.of("rows 1"));
        now.set(2_000);
        block.show("syncing", List.of("rows 2"));
        now.set(4_000);
        block.show("syncing, waiting", List.of("rows 3 waiting"));
        now.set(20_000);
        block.show("syncing, waiting", List.of("rows 4 waiting"));
        now.set(34_000);
        block.show("syncing, waiting", List.of("rows 5 waiting"));
        assertEquals("rows 1\nrows 3 waiting\nrows 5 waiting\n", output());
        assertTrue(!output().contains("\u001b"), "no escape codes in a log");

        bytes.reset();
        block.close();
        block.show("caught up", List.of("after close"));
        block.print("after close");
        assertEquals("", output(), "nothing after the shutdown line");
    }
}
