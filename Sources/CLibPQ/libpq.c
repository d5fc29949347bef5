#include "CLibPQ.h"
#include "ordinaut_lazy_library.h"

#define PQ_FUNCTIONS(F, P, S)                                                                          \
    F(PGconn *, PQconnectdb, (const char *conninfo), (conninfo))                                       \
    P(PQfinish, (PGconn *connection), (connection))                                                    \
    F(ConnStatusType, PQstatus, (const PGconn *connection), (connection))                              \
    F(char *, PQerrorMessage, (const PGconn *connection), (connection))                                \
    F(int, PQsocket, (const PGconn *connection), (connection))                                         \
    F(int, PQconsumeInput, (PGconn *connection), (connection))                                         \
    F(PGnotify *, PQnotifies, (PGconn *connection), (connection))                                      \
    F(PGresult *, PQexec, (PGconn *connection, const char *query), (connection, query))               \
    F(PGresult *, PQprepare,                                                                           \
      (PGconn *connection, const char *name, const char *query, int count, const Oid *types),          \
      (connection, name, query, count, types))                                                         \
    F(PGresult *, PQexecPrepared,                                                                      \
      (PGconn *connection, const char *name, int count, const char *const *values, const int *lengths, \
       const int *formats, int resultFormat),                                                          \
      (connection, name, count, values, lengths, formats, resultFormat))                               \
    F(ExecStatusType, PQresultStatus, (const PGresult *result), (result))                              \
    F(char *, PQresultErrorMessage, (const PGresult *result), (result))                                \
    F(char *, PQresultErrorField, (const PGresult *result, int code), (result, code))                  \
    F(int, PQntuples, (const PGresult *result), (result))                                              \
    F(int, PQnfields, (const PGresult *result), (result))                                              \
    F(char *, PQgetvalue, (const PGresult *result, int row, int column), (result, row, column))        \
    F(int, PQgetisnull, (const PGresult *result, int row, int column), (result, row, column))          \
    P(PQclear, (PGresult *result), (result))                                                           \
    P(PQfreemem, (void *pointer), (pointer))

ORDINAUT_LAZY_LIBRARY(ordinaut_pq, "libpq.so.5", PQ_FUNCTIONS)
