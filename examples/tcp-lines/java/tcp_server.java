// tcp_server.java - the receiving side of "TCP multi-file upload" (the tcp-lines lab), in
// Java: the same protocol and log lines as ../good/tcp_server.py.
//
// Listens for ONE TCP connection with a ServerSocket, which listens on every address,
// IPv4 and IPv6 (dual-stack `[::]`). Each file is a 4-byte big-endian line count, then
// that many lines ended by '\n'; the k-th file is saved as k.txt and answered with the
// byte 'A'. A file of zero lines is answered 'Q', and the server closes and exits.
//
// Build and run (javac is what `grader` runs when it finds *.java and no build file):
//     javac -d . tcp_server.java && java -cp . tcp_server [PORT]
// PORT defaults to 12100.
//
// Expected verdict: passes
// Grade with: grader check tcp-lines --server examples/tcp-lines/java/

import java.io.DataInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

public class tcp_server {
    public static void main(String[] args) throws IOException {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 12100;
        try (ServerSocket listener = new ServerSocket(port, 1)) {
            System.out.println("TCP server listening on port " + port);
            try (Socket connection = listener.accept()) {
                System.out.println("Connection from " + connection.getRemoteSocketAddress());
                receiveFiles(connection);
            }
        }
        System.out.println("Connection closed");
    }

    /** Receives files until a zero-line file comes, answering 'A' or 'Q' to each. */
    private static void receiveFiles(Socket connection) throws IOException {
        // readInt and readByte wait for every byte, however the stream was cut.
        DataInputStream in = new DataInputStream(connection.getInputStream());
        OutputStream out = connection.getOutputStream();
        for (int fileNumber = 1; ; fileNumber++) {
            long count = in.readInt() & 0xffffffffL;
            if (count == 0) {
                out.write('Q');
                out.flush();
                System.out.println("Received a file with zero lines, quitting");
                return;
            }
            List<byte[]> lines = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                byte[] line = readLine(in);
                System.out.println("Line " + (i + 1) + ": " + new String(line, "US-ASCII"));
                lines.add(line);
            }
            String fileName = fileNumber + ".txt";
            try (FileOutputStream file = new FileOutputStream(fileName)) {
                for (byte[] line : lines) {
                    file.write(line);
                    file.write('\n');
                }
            }
            System.out.println("Saved " + fileName + " (" + count + " lines)");
            out.write('A');
            out.flush();
        }
    }

    /** One line up to its '\n', without it. */
    private static byte[] readLine(DataInputStream in) throws IOException {
        java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();
        for (byte b = in.readByte(); b != '\n'; b = in.readByte()) {
            line.write(b);
        }
        return line.toByteArray();
    }
}
