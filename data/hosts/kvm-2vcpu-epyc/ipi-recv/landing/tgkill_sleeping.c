/* tgkill_sleeping.c: what an IPI costs its sender by the target's state.
 * A thread blocked in sigwait on TARGET_CPU (default 1; 0 is the sender's
 * own CPU: a wake-up without an IPI) is sent SIGUSR1 by tgkill from CPU 0
 * every GAP_US (default 50) us, 20 000 times; prints the call's quantiles.
 * Scratch probe of 2026-12-02 (README.md):
 *   cc -O2 -o t tgkill_sleeping.c -lpthread && ./t GAP_US TARGET_CPU */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static int64_t now_ns(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000000LL+t.tv_nsec;}
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);sched_setaffinity(0,sizeof s,&s);}
static volatile pid_t btid; static volatile int stop; static volatile uint64_t got;
#define N 20000
static int64_t dur[N];
static int cmp(const void*a,const void*b){int64_t x=*(int64_t*)a,y=*(int64_t*)b;return (x>y)-(x<y);}
static int tcpu=1; static void *sleeper(void *a){(void)a; pin(tcpu); sigset_t s; sigemptyset(&s); sigaddset(&s,SIGUSR1); pthread_sigmask(SIG_BLOCK,&s,0); btid=syscall(SYS_gettid);
  while(!stop){int sig; sigwait(&s,&sig); got++;} return 0;}
int main(int argc,char**argv){int gap_us=argc>1?atoi(argv[1]):50; tcpu=argc>2?atoi(argv[2]):1; sigset_t s; sigemptyset(&s); sigaddset(&s,SIGUSR1); pthread_sigmask(SIG_BLOCK,&s,0);
 pthread_t t; pthread_create(&t,0,sleeper,0); pin(0); usleep(200000);
 for(int i=0;i<N;i++){int64_t due=now_ns()+gap_us*1000; while(now_ns()<due); int64_t st=now_ns(); syscall(SYS_tgkill,getpid(),btid,SIGUSR1); dur[i]=now_ns()-st;}
 stop=1; syscall(SYS_tgkill,getpid(),btid,SIGUSR1); usleep(1000); qsort(dur,N,8,cmp);
 printf("gap %d us: tgkill to a sleeping thread on an idle CPU: p10 %ld p50 %ld p90 %ld ns (woken %lu)\n",gap_us,dur[N/10],dur[N/2],dur[N*9/10],(unsigned long)got);
 int64_t st=now_ns(); for(int i=0;i<10000;i++) syscall(SYS_getppid); printf("getppid %ld ns\n",(now_ns()-st)/10000);}
