package dev.mirror.cli;

import java.nio.charset.Charset;

/** Entry point of {@code bin/mirror}: sets up logging from the arguments, then runs the command line. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // slf4j-simple reads its configuration once, when the first logger is made: set it before anything logs.
        boolean verbose = false;
        for (String arg : args) {
            verbose |= arg.equals("--verbose") || arg.equals("-v");
        }
        System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", verbose ? "debug" : "warn");
        System.setProperty("org.slf4j.simpleLogger.logFile", "System.err");
        System.setProperty("org.slf4j.simpleLogger.showDateTime", "true");
        System.setProperty("org.slf4j.simpleLogger.dateTimeFormat", "HH:mm:ss.SSS");
        System.setProperty("org.slf4j.simpleLogger.log.org.rocksdb", "warn");
        // picocli looks for Groovy on the class path (to run closures in annotations, which mirror has none of): a
        // failed class lookup that opens every jar, a few milliseconds of every start.
        System.setProperty("picocli.disable.closures", "true");
        String fileNames = System.getProperty("sun.jnu.encoding", Charset.defaultCharset().name());
        if (!Charset.forName(fileNames).equals(java.nio.charset.StandardCharsets.UTF_8)) {
            System.err.println("mirror needs a UTF-8 locale to read file names, but this one uses " + fileNames
                    + "; run it with LC_ALL=C.UTF-8 (bin/mirror does this for you).");
            System.exit(ExitCodes.RUNTIME);
        }
        Preload.forCommand(MirrorCommand.subcommandNamed(args));
        System.exit(MirrorCommand.commandLine(args).execute(args));
    }
}
