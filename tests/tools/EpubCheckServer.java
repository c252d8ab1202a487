import com.adobe.epubcheck.tool.EpubChecker;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Validates EPUBs in one JVM for a whole test run, whichever test process asks: each request is a file
 * "NAME.request" in FOLDER holding "book.epub<TAB>report.json"; the answer, EpubChecker's exit status, is written
 * to "NAME.status" beside it. Stops when FOLDER holds "stop" or when the process WATCHED (the test run) is gone.
 * Its CPU time is written to "cpu" in FOLDER when it stops (nobody waits for this process to count it). Between
 * requests it sleeps until a file appears in FOLDER (inotify, through a WatchService), looking once a second whether
 * WATCHED is still there: polling the folder every 50 ms cost ~12 ms of CPU a second for the whole run.
 *
 * java EpubCheckServer FOLDER WATCHED
 */
public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        Path folder = Paths.get(args[0]);
        ProcessHandle watched = ProcessHandle.of(Long.parseLong(args[1])).orElse(null);
        WatchService events = folder.getFileSystem().newWatchService();
        folder.register(events, StandardWatchEventKinds.ENTRY_CREATE);
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
            if (requests.isEmpty()) {  // a request or "stop" made since the listing is an event still to come
                WatchKey key = events.poll(1, TimeUnit.SECONDS);
                if (key != null) {
                    key.pollEvents();
                    key.reset();
                }
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
