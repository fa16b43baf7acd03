package dev.mirror.core;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/** Makes daemon threads named {@code prefix-1}, {@code prefix-2}, ... so thread dumps say whose they are. */
public final class NamedThreadFactory implements ThreadFactory {
    private final String prefix;
    private final long stackBytes;
    private final AtomicInteger next = new AtomicInteger(1);

    public NamedThreadFactory(String prefix) {
        this(prefix, 0);
    }

    /** @param stackBytes the stack size, or 0 for the JVM's default */
    public NamedThreadFactory(String prefix, long stackBytes) {
        this.prefix = prefix;
        this.stackBytes = stackBytes;
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(null, task, prefix + "-" + next.getAndIncrement(), stackBytes);
        thread.setDaemon(true);
        return thread;
    }
}
