import java.sql.Connection;
import java.sql.DriverManager;

/** Creates an empty database for the benchmark's gateway: java -cp "local-run/target/lib/*" bench/CreateDatabase.java HOST PORT USER NAME */
public class CreateDatabase {

    public static void main(String[] args) throws Exception {
        String password = System.getenv().getOrDefault("TF_POSTGRES_PASSWORD", "");
        try (Connection connection = DriverManager.getConnection(
                "jdbc:postgresql://" + args[0] + ":" + args[1] + "/postgres", args[2], password)) {
            connection.createStatement().execute("DROP DATABASE IF EXISTS " + args[3] + " WITH (FORCE)");
            connection.createStatement().execute("CREATE DATABASE " + args[3]);
        }
    }
}
