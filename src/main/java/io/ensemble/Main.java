package io.ensemble;
public final class Main { public static void main(String[] a) { io.helidon.microprofile.cdi.Main.main(a);} }
