/*
 * A test double of the libbp / libici symbols the ION backend calls (ION 4.1.3 signatures and struct
 * layouts, shared/ref/ion-libbp.md), compiled by the tests. One node, in memory. As in ION, only
 * declared endpoints open ("Endpoint not known." otherwise), addEndpoint/removeEndpoint (bpP.h)
 * declare and remove them, a bundle for a declared endpoint of this node queues there whether or not
 * an application has it open, and one for an undeclared endpoint of this node is abandoned. It checks
 * what ION would punish (transactions begun and ended on different threads or left open, ZCOs leaked,
 * calls before bp_attach, ionCreateZco's assertion length > 0) and counts each violation, and it can
 * be told to fail the ways ION fails (attach refused, no ZCO space, a spurious interrupt, a user error
 * from bp_send, addEndpoint failing).
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef unsigned long Object;
typedef long vast;
typedef unsigned long uvast;

typedef struct { uvast msec; unsigned int count; } BpTimestamp;

typedef struct {
	int result;
	char *bundleSourceEid;
	BpTimestamp bundleCreationTime;
	unsigned int timeToLive;
	int ackRequested;
	int adminRecord;
	Object adu;
	unsigned char metadataType;
	unsigned char metadataLen;
	unsigned char metadata[30];
} BpDelivery;

typedef struct {
	Object zco;
	int trackFileOffset;
	vast headerLengthCopied, sourceLengthCopied, trailerLengthCopied, lengthCopied;
} ZcoReader;

typedef struct {
	unsigned int dataLabel;
	unsigned char flags, ordinal, metadataType, metadataLen;
	unsigned char metadata[30];
	void *extensions;
	int extensionsCt;
	uint32_t imcRegionNbr;
	unsigned char doNotFragment;
} BpAncillaryData;

struct zco { int live; unsigned char *data; long length; };
struct queued { Object zco; char source[64]; uvast msec; unsigned int count; unsigned int ttl; int ack; struct queued *next; };
struct endpoint { char eid[64]; int elsewhere; struct queued *head, *tail; };
struct sap { char eid[64]; int receiver; int interrupted; int closed; struct endpoint *endpoint; };

#define MAX_OBJECTS 65536
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t arrived = PTHREAD_COND_INITIALIZER;
#define MAX_ENDPOINTS 1024
static int attached, fail_attach, no_space, spurious, send_user_error, fail_add;
static unsigned long node_nbr = 1, sequence;
static struct zco zcos[MAX_OBJECTS];
static void *objects[MAX_OBJECTS];
static struct sap *saps[256];
static struct endpoint *endpoints[MAX_ENDPOINTS];
static int adds, removals, abandoned;
static int violations;
static char errmsg[256];
static __thread int xn_depth;
static int xn_open;
static char last_dest[64], last_report_to[64];
static int last_lifespan, last_cos, last_custody, last_srr, last_ack, last_ordinal, last_dnf, last_anc_flags;
static int sends;

static void violation(const char *what)
{
	violations++;
	snprintf(errmsg, sizeof(errmsg), "test double: %s", what);
}

/* ---- what the tests steer and read ---- */
int double_violations(void) { return violations; }
int double_live_zcos(void)
{
	int n = 0;

	for (int i = 1; i < MAX_OBJECTS; i++)
		n += zcos[i].live;
	return n;
}
int double_open_transactions(void) { return xn_open; }
int double_live_objects(void)
{
	int n = 0;

	for (int i = 1; i < MAX_OBJECTS; i++)
		n += objects[i] != NULL;
	return n;
}
/* The C sizes of the structs JNA must match: BpDelivery, ZcoReader, BpAncillaryData. */
void double_sizes(int *out)
{
	out[0] = sizeof(BpDelivery);
	out[1] = sizeof(ZcoReader);
	out[2] = sizeof(BpAncillaryData);
}
void double_fail_attach(int on) { fail_attach = on; }
void double_no_zco_space(int times) { no_space = times; }
void double_spurious_interrupts(int times) { spurious = times; }
void double_send_user_error(int on) { send_user_error = on; }
void double_set_node(unsigned long nbr) { node_nbr = nbr; }
int double_sends(void) { return sends; }
const char *double_last_dest(void) { return last_dest; }
const char *double_last_report_to(void) { return last_report_to; }
/* lifespan, cos, custody, srr, ack, ordinal, doNotFragment, ancillary flags */
void double_last_send(int *out)
{
	int v[] = { last_lifespan, last_cos, last_custody, last_srr, last_ack, last_ordinal, last_dnf,
		    last_anc_flags };

	memcpy(out, v, sizeof(v));
}
void double_fail_add_endpoint(int on) { fail_add = on; }
static struct endpoint *find_endpoint(const char *eid)
{
	for (int i = 0; i < MAX_ENDPOINTS; i++)
		if (endpoints[i] && !strcmp(endpoints[i]->eid, eid))
			return endpoints[i];
	return NULL;
}
static int declare(const char *eid)
{
	for (int i = 0; i < MAX_ENDPOINTS; i++) {
		if (!endpoints[i]) {
			endpoints[i] = calloc(1, sizeof(struct endpoint));
			snprintf(endpoints[i]->eid, sizeof(endpoints[i]->eid), "%s", eid);
			return 1;
		}
	}
	return 0;
}
/* As an operator's "a endpoint EID q" would. */
void double_declare(const char *eid)
{
	pthread_mutex_lock(&lock);
	if (!find_endpoint(eid))
		declare(eid);
	pthread_mutex_unlock(&lock);
}
/* Another ION application has the endpoint open for receiving (on), or no longer (off). */
void double_open_elsewhere(const char *eid, int on)
{
	pthread_mutex_lock(&lock);
	struct endpoint *e = find_endpoint(eid);
	if (e)
		e->elsewhere = on;
	pthread_mutex_unlock(&lock);
}
int double_declared(const char *eid)
{
	int known;

	pthread_mutex_lock(&lock);
	known = find_endpoint(eid) != NULL;
	pthread_mutex_unlock(&lock);
	return known;
}
int double_queued(const char *eid)
{
	int n = 0;

	pthread_mutex_lock(&lock);
	struct endpoint *e = find_endpoint(eid);
	for (struct queued *q = e ? e->head : NULL; q; q = q->next)
		n++;
	pthread_mutex_unlock(&lock);
	return n;
}
/* addEndpoint calls that declared one, removeEndpoint calls that removed one, bundles abandoned. */
void double_endpoint_counts(int *out)
{
	out[0] = adds;
	out[1] = removals;
	out[2] = abandoned;
}
/* Between tests: every endpoint and what is queued there goes, as with a fresh ION node. */
void double_reset_endpoints(void)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < MAX_ENDPOINTS; i++) {
		struct endpoint *e = endpoints[i];

		if (!e)
			continue;
		while (e->head) {
			struct queued *q = e->head;

			e->head = q->next;
			zcos[q->zco].live = 0;
			free(zcos[q->zco].data);
			free(q);
		}
		free(e);
		endpoints[i] = NULL;
	}
	adds = removals = abandoned = 0;
	pthread_mutex_unlock(&lock);
}
int double_saps_open(void)
{
	int n = 0;

	for (int i = 0; i < 256; i++)
		n += saps[i] != NULL;
	return n;
}

/* ---- libici ---- */
int getErrmsg(char *buffer)
{
	if (!errmsg[0])
		return 0;
	strcpy(buffer, errmsg);
	errmsg[0] = 0;
	return 1;
}
uvast getOwnNodeNbr(void) { return node_nbr; }
int sdr_begin_xn(void *sdr)
{
	if (!attached)
		violation("transaction without bp_attach");
	if (xn_depth++ == 0)
		__sync_fetch_and_add(&xn_open, 1);
	return 1;
}
static void end_xn(void)
{
	if (xn_depth == 0) {
		violation("transaction ended on a thread that did not begin it");
		return;
	}
	if (--xn_depth == 0)
		__sync_fetch_and_sub(&xn_open, 1);
}
int sdr_end_xn(void *sdr) { end_xn(); return 0; }
void sdr_exit_xn(void *sdr) { end_xn(); }
void sdr_cancel_xn(void *sdr) { end_xn(); }
static void need_xn(const char *what)
{
	if (xn_depth == 0)
		violation(what);
}
Object Sdr_malloc(const char *file, int line, void *sdr, size_t n)
{
	need_xn("sdr_malloc outside a transaction");
	pthread_mutex_lock(&lock);
	for (int i = 1; i < MAX_OBJECTS; i++) {
		if (!objects[i]) {
			objects[i] = malloc(n ? n : 1);
			pthread_mutex_unlock(&lock);
			return (Object)i;
		}
	}
	pthread_mutex_unlock(&lock);
	return 0;
}
void Sdr_write(const char *file, int line, void *sdr, Object into, char *from, size_t n)
{
	need_xn("sdr_write outside a transaction");
	memcpy(objects[into], from, n);
}
void Sdr_free(const char *file, int line, void *sdr, Object obj)
{
	need_xn("sdr_free outside a transaction");
	free(objects[obj]);
	objects[obj] = NULL;
}
Object ionCreateZco(int medium, Object location, vast offset, vast length, unsigned char cos,
		    unsigned char fine, int acct, void *attendant)
{
	if (xn_depth)
		violation("ionCreateZco inside a transaction (it runs its own)");
	if (location != 0 && length <= 0) {
		/* ION: CHKERR(length > 0), "Assertion failed." in ion.log, ERROR. */
		violation("Assertion failed. (length > 0) in ionCreateZco");
		return (Object)-1;
	}
	pthread_mutex_lock(&lock);
	if (location == 0) {
		/* No initial extent: ION creates an empty ZCO, without asking for space. */
		for (int i = 1; i < MAX_OBJECTS; i++) {
			if (!zcos[i].live) {
				zcos[i].live = 1;
				zcos[i].data = NULL;
				zcos[i].length = 0;
				pthread_mutex_unlock(&lock);
				return (Object)i;
			}
		}
		pthread_mutex_unlock(&lock);
		return (Object)-1;
	}
	if (no_space > 0) {
		no_space--;
		pthread_mutex_unlock(&lock);
		return 0;
	}
	for (int i = 1; i < MAX_OBJECTS; i++) {
		if (!zcos[i].live) {
			zcos[i].live = 1;
			zcos[i].data = malloc(length ? length : 1);
			memcpy(zcos[i].data, (char *)objects[location] + offset, length);
			zcos[i].length = length;
			/* The ZCO owns the SDR object now. */
			free(objects[location]);
			objects[location] = NULL;
			pthread_mutex_unlock(&lock);
			return (Object)i;
		}
	}
	pthread_mutex_unlock(&lock);
	return (Object)-1;
}
vast zco_source_data_length(void *sdr, Object zco)
{
	need_xn("zco_source_data_length outside a transaction");
	return zcos[zco].length;
}
void zco_start_receiving(Object zco, ZcoReader *r)
{
	memset(r, 0, sizeof(*r));
	r->zco = zco;
}
vast zco_receive_source(void *sdr, ZcoReader *r, vast length, char *buffer)
{
	struct zco *z = &zcos[r->zco];
	vast n = z->length - r->sourceLengthCopied;

	need_xn("zco_receive_source outside a transaction");
	if (n > length)
		n = length;
	if (n > 0)
		memcpy(buffer, z->data + r->sourceLengthCopied, n);
	r->sourceLengthCopied += n;
	return n;
}
void zco_destroy(void *sdr, Object zco)
{
	need_xn("zco_destroy outside a transaction");
	if (!zcos[zco].live)
		violation("zco destroyed twice");
	zcos[zco].live = 0;
	free(zcos[zco].data);
}
int ionStartAttendant(void *a) { return 0; }
void ionStopAttendant(void *a) { }
void ionPauseAttendant(void *a) { }

/* ---- libbp ---- */
int bp_attach(void)
{
	if (fail_attach) {
		snprintf(errmsg, sizeof(errmsg), "Can't attach to ION: ION is not running");
		return -1;
	}
	attached = 1;
	return 0;
}
void bp_detach(void)
{
	if (double_saps_open())
		violation("bp_detach with endpoints still open");
	attached = 0;
}
void *bp_get_sdr(void) { return (void *)0x5d5; }
static int open_sap(const char *eid, struct sap **out, int receiver)
{
	char mine[32];

	if (!attached) {
		violation("bp_open before bp_attach");
		return -1;
	}
	snprintf(mine, sizeof(mine), "ipn:%lu.", node_nbr);
	pthread_mutex_lock(&lock);
	struct endpoint *endpoint = find_endpoint(eid);
	/* ION's putErrmsg writes its reasons ("Endpoint not known.", "Endpoint is already open.") to
	 * ion.log at once: getErrmsg finds nothing. */
	if (strncmp(eid, mine, strlen(mine)) != 0 || !endpoint) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	if (receiver && endpoint->elsewhere) {
		pthread_mutex_unlock(&lock);
		return -1;
	}
	for (int i = 0; i < 256; i++) {
		if (receiver && saps[i] && saps[i]->receiver && !strcmp(saps[i]->eid, eid)) {
			pthread_mutex_unlock(&lock);
			return -1;
		}
	}
	for (int i = 0; i < 256; i++) {
		if (!saps[i]) {
			saps[i] = calloc(1, sizeof(struct sap));
			strncpy(saps[i]->eid, eid, sizeof(saps[i]->eid) - 1);
			saps[i]->receiver = receiver;
			saps[i]->endpoint = endpoint;
			*out = saps[i];
			pthread_mutex_unlock(&lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&lock);
	return -1;
}
int bp_open(char *eid, struct sap **sap) { return open_sap(eid, sap, 1); }
int bp_open_source(char *eid, struct sap **sap, int detain) { return open_sap(eid, sap, 0); }
void bp_close(struct sap *sap)
{
	pthread_mutex_lock(&lock);
	for (int i = 0; i < 256; i++) {
		if (saps[i] == sap) {
			/* What is queued for the endpoint stays there, for its next bp_open. */
			saps[i] = NULL;
			sap->closed = 1;
			free(sap);
		}
	}
	pthread_mutex_unlock(&lock);
}
int bp_send(struct sap *sap, char *dest, char *reportTo, int lifespan, int cos, int custody,
	    unsigned char srr, int ack, BpAncillaryData *anc, Object adu, Object *newBundle)
{
	if (!attached) {
		violation("bp_send before bp_attach");
		return -1;
	}
	if (xn_depth)
		violation("bp_send inside a transaction");
	if (!zcos[adu].live)
		violation("bp_send of a ZCO that does not exist");
	if (zcos[adu].live && zcos[adu].length == 0)
		violation("bp_send of an empty ZCO: ION's convergence layers assert length > 0 in zco_clone, and the node wedges");
	if (send_user_error || lifespan <= 0 || (!sap && srr)) {
		snprintf(errmsg, sizeof(errmsg), "bp_send: invalid argument");
		return 0;
	}
	pthread_mutex_lock(&lock);
	sends++;
	snprintf(last_dest, sizeof(last_dest), "%s", dest);
	snprintf(last_report_to, sizeof(last_report_to), "%s", reportTo ? reportTo : "");
	last_lifespan = lifespan; last_cos = cos; last_custody = custody; last_srr = srr; last_ack = ack;
	last_ordinal = anc ? anc->ordinal : -1;
	last_dnf = anc ? anc->doNotFragment : -1;
	last_anc_flags = anc ? anc->flags : -1;
	struct endpoint *e = find_endpoint(dest);
	char mine[32];

	snprintf(mine, sizeof(mine), "ipn:%lu.", node_nbr);
	if (e) {
		struct queued *q = calloc(1, sizeof(*q));

		q->zco = adu;
		snprintf(q->source, sizeof(q->source), "%s", sap ? sap->eid : "dtn:none");
		q->msec = 800000000000UL;
		q->count = ++sequence;
		q->ttl = lifespan * 1000;
		q->ack = ack ? 0x20 : 0;
		if (e->tail)
			e->tail->next = q;
		else
			e->head = q;
		e->tail = q;
		pthread_cond_broadcast(&arrived);
		pthread_mutex_unlock(&lock);
		return 1;
	}
	/* For an undeclared endpoint of this node ION abandons the bundle; any other is "forwarded":
	 * either way the ZCO goes with the bundle. */
	if (!strncmp(dest, mine, strlen(mine)))
		abandoned++;
	zcos[adu].live = 0;
	free(zcos[adu].data);
	pthread_mutex_unlock(&lock);
	return 1;
}
int bp_receive(struct sap *sap, BpDelivery *dlv, int timeout)
{
	struct timespec until;

	memset(dlv, 0, sizeof(*dlv));
	if (xn_depth)
		violation("bp_receive inside a transaction");
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += timeout > 0 ? timeout : 0;
	pthread_mutex_lock(&lock);
	for (;;) {
		if (sap->interrupted) {
			sap->interrupted = 0;
			dlv->result = 3;
			break;
		}
		if (spurious > 0 && sap->endpoint->head) {
			spurious--;
			dlv->result = 3;
			break;
		}
		if (sap->endpoint->head) {
			struct endpoint *e = sap->endpoint;
			struct queued *q = e->head;

			e->head = q->next;
			if (!e->head)
				e->tail = NULL;
			dlv->result = 1;
			dlv->bundleSourceEid = strdup(q->source);
			dlv->bundleCreationTime.msec = q->msec;
			dlv->bundleCreationTime.count = q->count;
			dlv->timeToLive = q->ttl;
			dlv->ackRequested = q->ack;
			dlv->adu = q->zco;
			free(q);
			break;
		}
		if (timeout == 0) {
			dlv->result = 2;
			break;
		}
		if (timeout > 0) {
			if (pthread_cond_timedwait(&arrived, &lock, &until)) {
				dlv->result = 2;
				break;
			}
		} else {
			pthread_cond_wait(&arrived, &lock);
		}
	}
	pthread_mutex_unlock(&lock);
	return 0;
}
void bp_interrupt(struct sap *sap)
{
	pthread_mutex_lock(&lock);
	sap->interrupted = 1;
	pthread_cond_broadcast(&arrived);
	pthread_mutex_unlock(&lock);
}
void bp_release_delivery(BpDelivery *dlv, int releaseAdu)
{
	if (dlv->result == 1 && releaseAdu && dlv->adu) {
		if (!zcos[dlv->adu].live)
			violation("delivery released twice");
		zcos[dlv->adu].live = 0;
		free(zcos[dlv->adu].data);
		dlv->adu = 0;
	}
	free(dlv->bundleSourceEid);
	dlv->bundleSourceEid = NULL;
}

/* ---- bpP.h: what bpadmin's "a endpoint" and "d endpoint" call ---- */
int addEndpoint(char *eid, int recvRule, char *script)
{
	char mine[32];
	int result = 1;

	if (!attached) {
		violation("addEndpoint before bp_attach");
		return -1;
	}
	if (xn_depth)
		violation("addEndpoint inside a transaction (it runs its own)");
	if (recvRule != 1 || script)
		violation("addEndpoint: the backend declares endpoints with the q rule (EnqueueBundle), no script");
	if (fail_add)
		return -1;	/* "Can't add endpoint.", in ion.log only */
	snprintf(mine, sizeof(mine), "ipn:%lu.", node_nbr);
	pthread_mutex_lock(&lock);
	/* ION writes its refusals ("[?] Duplicate endpoint") to ion.log only: nothing for getErrmsg. */
	if (strncmp(eid, "ipn:", 4) != 0 || find_endpoint(eid))
		result = 0;
	else if (!declare(eid))
		result = -1;
	else
		adds++;
	pthread_mutex_unlock(&lock);
	return result;
}
int removeEndpoint(char *eid)
{
	struct endpoint *e;

	if (!attached) {
		violation("removeEndpoint before bp_attach");
		return -1;
	}
	if (xn_depth)
		violation("removeEndpoint inside a transaction (it runs its own)");
	pthread_mutex_lock(&lock);
	e = find_endpoint(eid);
	/* ION refuses, in ion.log only: unknown, open by an application, bundles queued. */
	if (!e || e->head || e->elsewhere) {
		pthread_mutex_unlock(&lock);
		return 0;
	}
	for (int i = 0; i < 256; i++) {
		if (saps[i] && saps[i]->receiver && saps[i]->endpoint == e) {
			pthread_mutex_unlock(&lock);
			return 0;
		}
	}
	for (int i = 0; i < MAX_ENDPOINTS; i++) {
		if (endpoints[i] == e) {
			endpoints[i] = NULL;
			free(e);
		}
	}
	removals++;
	pthread_mutex_unlock(&lock);
	return 1;
}
