package dev.runline.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 over a plain {@link Socket}, for what {@link java.net.http.HttpClient} refuses to
 * send: any bytes as the request (invalid UTF-8, lying or missing {@code Content-Length},
 * unknown methods, odd paths), and connections left half-written on purpose.
 */
final class RawHttp {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Never read more than this of one response, so a hostile answer cannot fill the heap. */
  private static final int MAX_RESPONSE = 32 * 1024 * 1024;

  private RawHttp() {}

  /**
   * One response: {@code status} -1 when the server closed the connection (or the wait ran
   * out) before a status line arrived. Header names are lower-cased.
   */
  record Response(int status, Map<String, List<String>> headers, byte[] body) {
    static final Response NONE = new Response(-1, Map.of(), new byte[0]);

    String text() {
      return new String(body, StandardCharsets.UTF_8);
    }

    String header(String name) {
      List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
      return values == null || values.isEmpty() ? null : values.get(0);
    }

    /** The body as JSON, or {@code null} when it is not JSON. */
    JsonNode json() {
      try {
        return body.length == 0 ? null : JSON.readTree(body);
      } catch (IOException e) {
        return null;
      }
    }

    @Override
    public String toString() {
      String text = text();
      return "HTTP " + status + " " + headers + " " + (text.length() > 300 ? text.substring(0, 300) + "..." : text);
    }
  }

  /** A connection to 127.0.0.1:{@code port} whose reads give up after {@code timeout}. */
  static Socket open(int port, Duration timeout) throws IOException {
    Socket socket = new Socket(InetAddress.getLoopbackAddress(), port);
    socket.setSoTimeout((int) timeout.toMillis());
    socket.setTcpNoDelay(true);
    return socket;
  }

  /** Sends {@code request} as is on a new connection and reads one response. */
  static Response exchange(int port, byte[] request, Duration timeout) throws IOException {
    try (Socket socket = open(port, timeout)) {
      OutputStream out = socket.getOutputStream();
      if (request.length <= 64 * 1024) {
        write(out, request);
        return read(socket.getInputStream(), timeout);
      }
      // A large request is written while the answer is read: the server may answer (413, 431)
      // and close before it read everything, and that answer must not be lost.
      Thread writer = new Thread(() -> write(out, request), "raw-http-writer");
      writer.setDaemon(true);
      writer.start();
      try {
        return read(socket.getInputStream(), timeout);
      } finally {
        socket.close();
        try {
          writer.join(timeout.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private static void write(OutputStream out, byte[] bytes) {
    try {
      out.write(bytes);
      out.flush();
    } catch (IOException e) {
      // The server answered and closed before it read everything; the answer is read all the same.
    }
  }

  static Response exchange(int port, String request, Duration timeout) throws IOException {
    return exchange(port, request.getBytes(StandardCharsets.ISO_8859_1), timeout);
  }

  /** {@code method path} with {@code headers} (CRLF-separated lines) and a body with its true length. */
  static byte[] request(String method, String path, String headers, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    String head = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + (headers.isEmpty() ? "" : headers + "\r\n")
        + (body == null ? "" : "Content-Length: " + body.length + "\r\n") + "\r\n";
    out.writeBytes(head.getBytes(StandardCharsets.ISO_8859_1));
    if (body != null) {
      out.writeBytes(body);
    }
    return out.toByteArray();
  }

  /** Reads one response from {@code in}; {@link Response#NONE} if none came. */
  static Response read(InputStream in, Duration timeout) throws IOException {
    long deadline = System.nanoTime() + timeout.toNanos();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    try {
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) {
          return Response.NONE;
        }
        head.write(b);
        matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
            ? matched + 1 : (b == '\r' ? 1 : 0);
        if (head.size() > 1024 * 1024 || System.nanoTime() > deadline) {
          return Response.NONE;
        }
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      return Response.NONE;
    }
    String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
    String[] statusLine = lines[0].split(" ", 3);
    int status = statusLine.length > 1 && statusLine[1].matches("\\d{3}") ? Integer.parseInt(statusLine[1]) : -1;
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) {
        headers.computeIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), k -> new ArrayList<>())
            .add(lines[i].substring(colon + 1).trim());
      }
    }
    byte[] body;
    try {
      String length = headers.containsKey("content-length") ? headers.get("content-length").get(0) : null;
      String encoding = headers.containsKey("transfer-encoding") ? headers.get("transfer-encoding").get(0) : "";
      if (length != null) {
        body = readN(in, Math.min(Integer.parseInt(length), MAX_RESPONSE));
      } else if (encoding.equalsIgnoreCase("chunked")) {
        body = readChunked(in);
      } else {
        body = readToEnd(in);
      }
    } catch (SocketTimeoutException | java.net.SocketException e) {
      body = new byte[0];
    }
    return new Response(status, headers, body);
  }

  private static byte[] readN(InputStream in, int n) throws IOException {
    byte[] body = in.readNBytes(n);
    return body;
  }

  private static byte[] readToEnd(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    int n;
    while ((n = in.read(buffer)) > 0 && out.size() < MAX_RESPONSE) {
      out.write(buffer, 0, n);
    }
    return out.toByteArray();
  }

  private static byte[] readChunked(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (out.size() < MAX_RESPONSE) {
      String sizeLine = line(in);
      if (sizeLine == null) {
        break;
      }
      int semicolon = sizeLine.indexOf(';');
      int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
      if (size == 0) {
        line(in);
        break;
      }
      out.writeBytes(in.readNBytes(size));
      line(in);
    }
    return out.toByteArray();
  }

  private static String line(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    int b;
    while ((b = in.read()) >= 0) {
      if (b == '\n') {
        return line.toString().trim();
      }
      line.append((char) b);
    }
    return line.length() == 0 ? null : line.toString();
  }

  /**
   * Whether the server closed {@code socket} within {@code atMost}: a read sees the end of
   * the stream or a reset. Anything the server still sends meanwhile is skipped.
   */
  static boolean closedByServer(Socket socket, Duration atMost) throws IOException {
    long deadline = System.nanoTime() + atMost.toNanos();
    InputStream in = socket.getInputStream();
    byte[] buffer = new byte[4096];
    while (System.nanoTime() < deadline) {
      long left = Math.max(1, (deadline - System.nanoTime()) / 1_000_000);
      socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      try {
        if (in.read(buffer) < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        return false;
      } catch (java.net.SocketException e) {
        return true;
      }
    }
    return false;
  }

  /**
   * What the server sent on {@code socket} before it closed it (the end of the stream or a
   * reset), or {@code null} when it had not closed it within {@code atMost} (or sent more
   * than a response may hold).
   */
  static byte[] readUntilClosed(Socket socket, Duration atMost) throws IOException {
    long deadline = System.nanoTime() + atMost.toNanos();
    InputStream in = socket.getInputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    while (out.size() < MAX_RESPONSE) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return null;
      }
      socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      try {
        int n = in.read(buffer);
        if (n < 0) {
          return out.toByteArray();
        }
        out.write(buffer, 0, n);
      } catch (SocketTimeoutException e) {
        return null;
      } catch (java.net.SocketException e) {
        return out.toByteArray();
      }
    }
    return null;
  }
}
