package dev.mirror.cli;
public final class Main { public static void main(String[] a) { System.out.println(dev.mirror.wire.proto.Placeholder.getDefaultInstance()); } }
