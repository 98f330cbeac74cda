/* communityid.c: the Community ID flow hash, version 1 (the public specification Zeek, Suricata and Wireshark follow). */
#include "communityid.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <string.h>

/*
 * SHA-1, looked up in OpenSSL's providers once: EVP_sha1() looks it up at
 * every digest, which was four fifths of the cost (500 ns against 120).
 * Never freed: it is used until the process ends.
 */
static EVP_MD *sha1;
static pthread_once_t sha1_once = PTHREAD_ONCE_INIT;

static void fetch_sha1(void)
{
	sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
}

bool community_id(const struct flow_key *k, char out[COMMUNITY_ID_LEN])
{
	size_t alen = k->family == 4 ? 4 : 16;
	/* The endpoint with the lower address (then the lower port) goes first. */
	int c = memcmp(k->addr[0], k->addr[1], alen);
	int a = c < 0 || (c == 0 && k->port[0] <= k->port[1]) ? 0 : 1, b = !a;
	uint8_t buf[2 + 16 + 16 + 2 + 4], *p = buf;
	*p++ = 0; /* seed 0, two bytes, network order */
	*p++ = 0;
	memcpy(p, k->addr[a], alen);
	p += alen;
	memcpy(p, k->addr[b], alen);
	p += alen;
	*p++ = 6; /* TCP */
	*p++ = 0;
	*p++ = (uint8_t)(k->port[a] >> 8);
	*p++ = (uint8_t)k->port[a];
	*p++ = (uint8_t)(k->port[b] >> 8);
	*p++ = (uint8_t)k->port[b];
	pthread_once(&sha1_once, fetch_sha1);
	if (!sha1)
		return false;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	if (!EVP_Digest(buf, (size_t)(p - buf), md, &mdlen, sha1, NULL) || mdlen != 20)
		return false;
	memcpy(out, "1:", 2);
	/* 20 bytes make 28 characters of base64, with one '=' of padding. */
	return EVP_EncodeBlock((unsigned char *)out + 2, md, 20) == 28;
}
