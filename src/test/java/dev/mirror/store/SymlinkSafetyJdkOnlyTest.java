package dev.mirror.store;

import java.io.IOException;
import java.nio.file.Path;

/** {@link SymlinkSafetyTest}'s cases where the C library's calls are not to be had: through the JDK's way alone. */
class SymlinkSafetyJdkOnlyTest extends SymlinkSafetyTest {
    @Override
    FileInstaller openInstaller(Path folder) throws IOException {
        FileInstaller installer = super.openInstaller(folder);
        installer.withoutNativeCalls();
        return installer;
    }
}
