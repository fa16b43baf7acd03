package dev.mirror.cli;

import dev.mirror.core.DeviceId;
import dev.mirror.core.Json;
import dev.mirror.daemon.Restore;
import dev.mirror.store.FolderException;
import dev.mirror.store.KeptVersion;
import dev.mirror.store.StateDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code mirror versions}: the kept earlier versions of one path, newest first. */
@Command(name = "versions", customSynopsis = "mirror versions [-hvV] [--json] [DIR] PATH",
        mixinStandardHelpOptions = true,
        description = {"List the earlier versions of PATH that mirror kept when it replaced or deleted it, newest "
            + "first: number, when, size, which device's change replaced it, and where the copy is.",
            "Works whether or not a peer is running on the folder. 'mirror restore' brings one back."},
        footer = {"", "Examples:", "  mirror versions ~/Sync docs/report.pdf",
            "  mirror versions ~/Sync/docs/report.pdf       # the folder is found above the path",
            "  mirror versions --json ~/Sync docs/report.pdf  # docs/writing.md lists the fields"})
final class VersionsCommand implements Callable<Integer> {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss", Locale.ROOT);

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(arity = "1..2", paramLabel = "[DIR] PATH", description = "The synced folder (default: the one "
            + "holding PATH), and the path in it: relative to DIR, or a path under it.")
    List<String> arguments;

    @Option(names = "--json", description = "Print one JSON object: {\"path\",\"versions\":[{\"number\","
            + "\"replaced\",\"size\",\"device\",\"symlink\",\"file\"}]}.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        FolderPath target = FolderPath.of(spec.commandLine(), arguments);
        StateDirectory state = StateDirectory.open(target.folder());
        List<KeptVersion> versions = Restore.versions(state, target.relative());
        if (versions.isEmpty() && !Files.exists(target.folder().resolve(target.relative()), LinkOption.NOFOLLOW_LINKS)) {
            throw new FolderException("Nothing is known of " + target.relative() + " in " + target.folder()
                    + ": it is not there, and no earlier version of it is kept.");
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(toJson(target.relative(), versions));
        } else if (versions.isEmpty()) {
            out.println("No earlier version of " + target.relative() + " is kept.");
        } else {
            printTable(out, target.folder(), versions);
        }
        out.flush();
        return ExitCodes.OK;
    }

    private static void printTable(PrintWriter out, Path folder, List<KeptVersion> versions) {
        ZoneId zone = ZoneId.systemDefault();
        out.printf(Locale.ROOT, "%3s  %-19s  %10s  %-7s  %s%n", "#", "replaced", "size", "by", "kept as");
        for (KeptVersion version : versions) {
            out.printf(Locale.ROOT, "%3d  %-19s  %10s  %-7s  %s%n", version.number(),
                    WHEN.format(version.replaced().atZone(zone)),
                    version.symlink() ? "symlink" : Units.bytes(version.size()),
                    version.replacedBy().map(DeviceId::shortForm).orElse("unknown"),
                    folder.relativize(version.file()));
        }
    }

    private static String toJson(String path, List<KeptVersion> versions) {
        List<Object> list = new ArrayList<>();
        for (KeptVersion version : versions) {
            Map<String, Object> v = new LinkedHashMap<>();
            v.put("number", version.number());
            v.put("replaced", version.replaced().toString());
            v.put("size", version.size());
            v.put("device", version.replacedBy().map(DeviceId::toString).orElse(null));
            v.put("symlink", version.symlink());
            v.put("file", version.file().toString());
            list.add(v);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("path", path);
        json.put("versions", list);
        return Json.write(json);
    }
}
