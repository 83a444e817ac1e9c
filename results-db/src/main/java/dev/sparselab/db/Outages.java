package dev.sparselab.db;

/** Telling "PostgreSQL is away for a moment" (retry, answer 503) from a real error. */
public final class Outages {
    private Outages() {
    }

    /** Whether the failure, or any of its causes, is the database being unreachable or going away. */
    public static boolean isDatabaseOutage(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof org.springframework.dao.TransientDataAccessException
                    || t instanceof org.springframework.jdbc.CannotGetJdbcConnectionException
                    || t instanceof org.springframework.dao.DataAccessResourceFailureException
                    || t instanceof java.net.ConnectException
                    || t instanceof java.sql.SQLTransientConnectionException
                    || t instanceof org.springframework.transaction.CannotCreateTransactionException
                    // commit or rollback failed: the connection is gone (the cause may be the closed connection)
                    || t instanceof org.springframework.transaction.TransactionSystemException
                    || t instanceof java.sql.SQLException sql && sql.getSQLState() != null
                        && (sql.getSQLState().startsWith("08") || sql.getSQLState().startsWith("57P"))) {
                return true;
            }
        }
        return false;
    }
}
