/* tgkill_running.c: where an IPI lands, from a call that does not wait.
 * A thread spins on CPU 1 reading CLOCK_MONOTONIC; CPU 0 sends it SIGUSR1
 * with tgkill every 50 us (a reschedule IPI: the x2APIC ICR write). Prints
 * the call's quantiles and, from the call's start, the start of the first
 * gap over 300 ns the spinner saw after it. Scratch probe of 2026-12-02,
 * kept to repeat README.md's numbers:  cc -O2 -o t tgkill_running.c -lpthread */
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
static int64_t now_ns(void){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1000000000LL+t.tv_nsec;}
static void pin(int c){cpu_set_t s;CPU_ZERO(&s);CPU_SET(c,&s);sched_setaffinity(0,sizeof s,&s);}
static volatile int stop; static volatile int64_t c0; static volatile uint64_t seq;
static pid_t btid;
#define N 20000
static int64_t land[N], dur[N]; static int nl;
static void h(int s){(void)s;}
static void *spin(void *a){(void)a; pin(1); btid=syscall(SYS_gettid); int64_t prev=now_ns(); uint64_t done=0;
 while(!stop){int64_t n=now_ns(); if(n-prev>300){uint64_t q=seq; int64_t s0=c0; if(q!=done && prev>=s0 && nl<N){land[nl++]=prev-s0; done=q;}} prev=n;} return 0;}
static int cmp(const void*a,const void*b){int64_t x=*(int64_t*)a,y=*(int64_t*)b;return (x>y)-(x<y);}
int main(void){signal(SIGUSR1,h); pthread_t t; pthread_create(&t,0,spin,0); pin(0); usleep(200000);
 int nd=0; for(int i=0;i<N;i++){int64_t due=now_ns()+50000; while(now_ns()<due); int64_t s=now_ns(); c0=s; __sync_fetch_and_add(&seq,1);
  syscall(SYS_tgkill,getpid(),btid,SIGUSR1); dur[nd++]=now_ns()-s;}
 usleep(1000); stop=1; pthread_join(t,0); qsort(land,nl,8,cmp); qsort(dur,nd,8,cmp);
 printf("kills %d: call p10 %ld p50 %ld p90 %ld; landed %d: p10 %ld p50 %ld p90 %ld\n",nd,dur[nd/10],dur[nd/2],dur[nd*9/10],nl,land[nl/10],land[nl/2],land[nl*9/10]);
 // syscall baseline
 int64_t s=now_ns(); for(int i=0;i<10000;i++) syscall(SYS_getppid); printf("getppid %ld ns\n",(now_ns()-s)/10000);
}
