package dev.mirror.testing;

import dev.mirror.watch.Scheduler;

import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when a test says so: {@link #advance} runs, in order, every task that
 * falls due, on the test's thread. Thread-safe, though tests drive it from one thread.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long nowNanos;
    private long added;

    @Override
    public synchronized long nanoTime() {
        return nowNanos;
    }

    @Override
    public synchronized void schedule(Runnable task, long delayNanos) {
        tasks.add(new Task(nowNanos + delayNanos, added++, task));
    }

    /** Moves time forward by {@code step}, running each task when its time comes (tasks may schedule more). */
    public void advance(Duration step) {
        long target;
        synchronized (this) {
            target = nowNanos + step.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                if (tasks.isEmpty() || tasks.peek().dueNanos > target) {
                    nowNanos = target;
                    return;
                }
                next = tasks.poll();
                nowNanos = Math.max(nowNanos, next.dueNanos);
            }
            next.task.run();
        }
    }

    public synchronized int pending() {
        return tasks.size();
    }

    private record Task(long dueNanos, long order, Runnable task) implements Comparable<Task> {
        @Override
        public int compareTo(Task other) {
            int byTime = Long.compare(dueNanos, other.dueNanos);
            return byTime != 0 ? byTime : Long.compare(order, other.order);
        }
    }
}
