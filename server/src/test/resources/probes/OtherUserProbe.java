import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Run as another OS user (java OtherUserProbe.java PORT SOCKET... -- FILE...): what it can reach of
 * a keydir data folder and its PostgreSQL. One line per attempt: "tcp <user>: <answer>",
 * "unix <path>: <answer>", "read <file>: <answer>". An answer is AUTH_OK (logged in without a
 * password), AUTH_PASSWORD (the server asks for one), REFUSED <why>, DENIED <why> or READ.
 */
public class OtherUserProbe {
  public static void main(String[] args) throws Exception {
    int port = Integer.parseInt(args[0]);
    int i = 1;
    for (String user : new String[] {"postgres", "keydir"}) {
      System.out.println("tcp " + user + ": " + tcp(port, user));
    }
    for (; i < args.length && !args[i].equals("--"); i++) {
      System.out.println("unix " + args[i] + ": " + unix(args[i]));
    }
    for (i++; i < args.length; i++) {
      System.out.println("read " + args[i] + ": " + read(Path.of(args[i])));
    }
  }

  static String tcp(int port, String user) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 2000);
      s.setSoTimeout(5000);
      s.getOutputStream().write(startup(user));
      return answer(new DataInputStream(s.getInputStream()));
    } catch (IOException e) {
      return "REFUSED " + e.getMessage();
    }
  }

  static String unix(String path) {
    try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      ch.connect(UnixDomainSocketAddress.of(path));
      ch.write(ByteBuffer.wrap(startup("postgres")));
      return answer(new DataInputStream(Channels.newInputStream(ch)));
    } catch (IOException e) {
      return "REFUSED " + e.getMessage();
    }
  }

  static String read(Path file) {
    try {
      Files.readAllBytes(file);
      return "READ";
    } catch (IOException e) {
      return "DENIED " + e.getClass().getSimpleName();
    }
  }

  static byte[] startup(String user) {
    String params = "user\0" + user + "\0database\0postgres\0\0";
    byte[] p = params.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + p.length);
    b.putInt(8 + p.length).putInt(196608).put(p);
    return b.array();
  }

  static String answer(DataInputStream in) throws IOException {
    int type = in.readUnsignedByte();
    int len = in.readInt();
    if (type == 'R') {
      int code = in.readInt();
      return code == 0 ? "AUTH_OK" : "AUTH_PASSWORD (method " + code + ")";
    }
    byte[] rest = new byte[Math.max(0, len - 4)];
    in.readFully(rest);
    return "REFUSED server said " + (char) type + " " + new String(rest, StandardCharsets.UTF_8).replace('\0', ' ');
  }
}
