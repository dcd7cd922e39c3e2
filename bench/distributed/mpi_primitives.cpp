// The MPI calls behind ProcessGroupMPI's allreduce, timed alone (no process group, no threads), to
// see where its time goes: MPI_Allreduce against libnbc's MPI_Iallreduce, the signature exchange
// (a 304-byte allgather per rank, or a small MIN/MAX allreduce), and allreduce from point-to-point
// messages (a whole-buffer exchange, or the ring's halves). Run under mpirun with 2 ranks:
//   mpirun -np 2 build/bench/distributed/mpi_primitives
// Rank 0 prints the best of 28 per call and size (the slowest rank's).
#include <mpi.h>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>
#include <algorithm>
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static void spin(MPI_Request& r) { int d = 0; while (!d) MPI_Test(&r, &d, MPI_STATUS_IGNORE); }
int main(int argc, char** argv) {
  int prov; MPI_Init_thread(&argc, &argv, MPI_THREAD_SERIALIZED, &prov);
  MPI_Comm comm; MPI_Comm_dup(MPI_COMM_WORLD, &comm);
  int rank; MPI_Comm_rank(comm, &rank);
  const int reps = 30;
  for (long bytes : {1L << 20, 64L << 20}) {
    long n = bytes / 4;
    std::vector<float> buf(n, 1.f), scratch(n);
    char sig[304], sigs[608];
    long hdr[13], hdro[13];
    std::memset(sig, 1, sizeof sig);
    const char* names[] = {"Allreduce", "Iallreduce+Test", "Iallgather304+Iallreduce", "Iallgather304+Allreduce",
                           "Allgather304 alone", "Iallgather304 alone", "Allreduce13i64MAX alone", "Iallreduce13 alone",
                           "Iallreduce (not in place)", "p2p exchange+Reduce_local", "p2p halves (RS+AG)"};
    const int nv = 11;
    std::vector<double> best(nv, 1e30);
    for (int r = 0; r < reps; ++r)
      for (int v = 0; v < nv; ++v) {
        MPI_Barrier(comm);
        double t0 = now();
        MPI_Request q;
        switch (v) {
          case 0: MPI_Allreduce(MPI_IN_PLACE, buf.data(), n, MPI_FLOAT, MPI_SUM, comm); break;
          case 1: MPI_Iallreduce(MPI_IN_PLACE, buf.data(), n, MPI_FLOAT, MPI_SUM, comm, &q); spin(q); break;
          case 2: MPI_Iallgather(sig, 304, MPI_BYTE, sigs, 304, MPI_BYTE, comm, &q); spin(q);
                  MPI_Iallreduce(MPI_IN_PLACE, buf.data(), n, MPI_FLOAT, MPI_SUM, comm, &q); spin(q); break;
          case 3: MPI_Iallgather(sig, 304, MPI_BYTE, sigs, 304, MPI_BYTE, comm, &q); spin(q);
                  MPI_Allreduce(MPI_IN_PLACE, buf.data(), n, MPI_FLOAT, MPI_SUM, comm); break;
          case 4: MPI_Allgather(sig, 304, MPI_BYTE, sigs, 304, MPI_BYTE, comm); break;
          case 5: MPI_Iallgather(sig, 304, MPI_BYTE, sigs, 304, MPI_BYTE, comm, &q); spin(q); break;
          case 6: MPI_Allreduce(hdr, hdro, 13, MPI_LONG, MPI_MAX, comm); break;
          case 7: MPI_Iallreduce(hdr, hdro, 13, MPI_LONG, MPI_MAX, comm, &q); spin(q); break;
          case 8: MPI_Iallreduce(buf.data(), scratch.data(), n, MPI_FLOAT, MPI_SUM, comm, &q); spin(q); break;
          case 9: { MPI_Request rq[2]; int peer = 1 - rank;
                  MPI_Irecv(scratch.data(), n, MPI_FLOAT, peer, 7, comm, &rq[0]);
                  MPI_Isend(buf.data(), n, MPI_FLOAT, peer, 7, comm, &rq[1]);
                  int d = 0; while (!d) MPI_Testall(2, rq, &d, MPI_STATUSES_IGNORE);
                  MPI_Reduce_local(scratch.data(), buf.data(), n, MPI_FLOAT, MPI_SUM); break; }
          case 10: { MPI_Request rq[2]; int peer = 1 - rank; long h = n / 2;
                  float* mine = buf.data() + (rank ? h : 0); float* theirs = buf.data() + (rank ? 0 : h);
                  MPI_Irecv(scratch.data(), h, MPI_FLOAT, peer, 7, comm, &rq[0]);
                  MPI_Isend(theirs, h, MPI_FLOAT, peer, 7, comm, &rq[1]);
                  int d = 0; while (!d) MPI_Testall(2, rq, &d, MPI_STATUSES_IGNORE);
                  MPI_Reduce_local(scratch.data(), mine, h, MPI_FLOAT, MPI_SUM);
                  MPI_Irecv(theirs, h, MPI_FLOAT, peer, 8, comm, &rq[0]);
                  MPI_Isend(mine, h, MPI_FLOAT, peer, 8, comm, &rq[1]);
                  d = 0; while (!d) MPI_Testall(2, rq, &d, MPI_STATUSES_IGNORE); break; }
        }
        double t = now() - t0;
        if (r >= 2) best[v] = std::min(best[v], t);
        std::fill(buf.begin(), buf.end(), 1.f);
      }
    std::vector<double> worst(nv);
    MPI_Reduce(best.data(), worst.data(), nv, MPI_DOUBLE, MPI_MAX, 0, comm);
    if (rank == 0) for (int v = 0; v < nv; ++v) std::printf("%4ldMB %-28s %10.1f us\n", bytes >> 20, names[v], worst[v] * 1e6);
  }
  MPI_Finalize();
}
