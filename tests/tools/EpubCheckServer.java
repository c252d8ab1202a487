import com.adobe.epubcheck.tool.EpubChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Validates EPUBs in one JVM for a whole test run, whichever test process asks: each request is a file
 * "NAME.request" in FOLDER holding "book.epub<TAB>report.json"; the answer, EpubChecker's exit status, is written
 * to "NAME.status" beside it. Stops when FOLDER holds "stop" or when the process WATCHED (the test run) is gone.
 * Its CPU time is written to "cpu" in FOLDER when it stops (nobody waits for this process to count it).
 *
 * java EpubCheckServer FOLDER WATCHED
 */
public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        Path folder = Paths.get(args[0]);
        ProcessHandle watched = ProcessHandle.of(Long.parseLong(args[1])).orElse(null);
        while (watched != null && watched.isAlive() && !Files.exists(folder.resolve("stop"))) {
            List<Path> requests = new ArrayList<>();
            try (DirectoryStream<Path> found = Files.newDirectoryStream(folder, "*.request")) {
                found.forEach(requests::add);
            }
            Collections.sort(requests);
            for (Path request : requests) {
                String[] paths = new String(Files.readAllBytes(request), StandardCharsets.UTF_8).trim().split("\t");
                int status = new EpubChecker().run(new String[] {paths[0], "-q", "--json", paths[1]});
                String name = request.getFileName().toString().replace(".request", "");
                write(folder.resolve(name + ".status"), Integer.toString(status));
                Files.delete(request);
            }
            if (requests.isEmpty()) {
                Thread.sleep(50);
            }
        }
        long nanos = ProcessHandle.current().info().totalCpuDuration().map(d -> d.toNanos()).orElse(0L);
        write(folder.resolve("cpu"), String.format("%.2f", nanos / 1e9));
    }

    private static void write(Path target, String text) throws IOException {
        Path temp = target.resolveSibling(target.getFileName() + ".part");
        Files.write(temp, text.getBytes(StandardCharsets.UTF_8));
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    }
}
