#!/usr/bin/env python3
"""Decode the ClientHello captures in this directory (Python 3 stdlib only).

    python3 decode.py *.bin      > expected.txt   # one line: file sni alpn versions status_request
    python3 decode.py -v *.bin                    # human-readable details

Each file must be whole handshake records (type 0x16) holding exactly one
ClientHello and nothing else; anything else raises.  GREASE values
(0x?a?a) are left out of the versions column.
"""
import sys, struct, os

EXT = {0:'server_name',1:'max_fragment_length',5:'status_request',10:'supported_groups',
 11:'ec_point_formats',13:'signature_algorithms',16:'alpn',17:'status_request_v2',18:'signed_cert_timestamp',
 21:'padding',22:'encrypt_then_mac',23:'extended_master_secret',27:'compress_certificate',28:'record_size_limit',
 35:'session_ticket',41:'pre_shared_key',42:'early_data',43:'supported_versions',44:'cookie',
 45:'psk_key_exchange_modes',49:'post_handshake_auth',50:'signature_algorithms_cert',51:'key_share',
 0xff01:'renegotiation_info',0xfe0d:'encrypted_client_hello',17513:'application_settings'}
GROUPS = {0x17:'secp256r1',0x18:'secp384r1',0x19:'secp521r1',0x1d:'x25519',0x1e:'x448',0x100:'ffdhe2048',
 0x101:'ffdhe3072',0x102:'ffdhe4096',0x103:'ffdhe6144',0x104:'ffdhe8192',0x11ec:'X25519MLKEM768',
 0x6399:'X25519Kyber768Draft00',0x11eb:'SecP256r1MLKEM768',0x200:'MLKEM512',0x201:'MLKEM768',0x202:'MLKEM1024'}

def grease(v): return (v & 0x0f0f) == 0x0a0a and (v >> 8) == (v & 0xff)

def u8(b,i): return b[i], i+1
def u16(b,i): return struct.unpack_from('>H',b,i)[0], i+2
def vec(b,i,n):
    l = int.from_bytes(b[i:i+n],'big'); i += n
    if i+l > len(b): raise ValueError('vector overruns')
    return b[i:i+l], i+l

def decode(data):
    # records
    i = 0; hs = b''; recs = []
    while i < len(data):
        t, ver, l = data[i], struct.unpack_from('>H',data,i+1)[0], struct.unpack_from('>H',data,i+3)[0]
        assert t == 0x16, 'not handshake'
        hs += data[i+5:i+5+l]; recs.append((ver,l)); i += 5+l
    assert i == len(data), 'trailing bytes'
    assert hs[0] == 1
    hl = int.from_bytes(hs[1:4],'big'); assert len(hs) == 4+hl, (len(hs), hl)
    b = hs[4:]; j = 0
    legacy, j = u16(b,j); rnd = b[j:j+32]; j += 32
    sid, j = vec(b,j,1); cs, j = vec(b,j,2); comp, j = vec(b,j,1)
    suites = [struct.unpack_from('>H',cs,k)[0] for k in range(0,len(cs),2)]
    d = dict(records=recs, legacy=legacy, sid_len=len(sid), suites=suites, comp=list(comp),
             exts=[], sni='-', alpn=None, versions=None, status=False, groups=[], key_shares=[], padding=None)
    if j == len(b): return d
    exts, j = vec(b,j,2); assert j == len(b)
    k = 0
    while k < len(exts):
        et, k = u16(exts,k); ed, k = vec(exts,k,2)
        d['exts'].append((et,len(ed)))
        if et == 0:
            lst,_ = vec(ed,0,2); assert lst[0] == 0; name,_ = vec(lst,1,2); d['sni'] = name.decode()
        elif et == 16:
            lst,_ = vec(ed,0,2); m = 0; ps = []
            while m < len(lst): p, m = vec(lst,m,1); ps.append(p.decode())
            d['alpn'] = ps
        elif et == 43:
            lst,_ = vec(ed,0,1); d['versions'] = [struct.unpack_from('>H',lst,m)[0] for m in range(0,len(lst),2)]
        elif et == 5:
            d['status'] = True; d['status_body'] = ed.hex()
        elif et == 10:
            lst,_ = vec(ed,0,2); d['groups'] = [struct.unpack_from('>H',lst,m)[0] for m in range(0,len(lst),2)]
        elif et == 51:
            lst,_ = vec(ed,0,2); m = 0
            while m < len(lst):
                g, m = u16(lst,m); ke, m = vec(lst,m,2); d['key_shares'].append((g,len(ke)))
        elif et == 21:
            d['padding'] = len(ed)
    return d

def gname(g): return 'GREASE' if grease(g) else GROUPS.get(g, '0x%04x'%g)

def main():
    verbose = '-v' in sys.argv
    files = [a for a in sys.argv[1:] if a != '-v']
    for f in files:
        d = decode(open(f,'rb').read())
        vers = '-' if d['versions'] is None else ','.join('%04x'%v for v in d['versions'] if not grease(v))
        alpn = '-' if not d['alpn'] else ','.join(d['alpn'])
        if not verbose:
            print(os.path.basename(f), d['sni'], alpn, vers, 'yes' if d['status'] else 'no')
            continue
        print('==', os.path.basename(f), os.path.getsize(f), 'bytes')
        print('  records (ver,len):', [('%04x'%v,l) for v,l in d['records']], ' legacy_version %04x'%d['legacy'], ' session_id', d['sid_len'])
        print('  suites (%d):'%len(d['suites']), ' '.join('GREASE' if grease(s) else '%04x'%s for s in d['suites']))
        print('  exts:', ', '.join(('GREASE' if grease(e) else EXT.get(e,'0x%04x'%e))+'(%d)'%l for e,l in d['exts']))
        print('  sni', d['sni'], ' alpn', d['alpn'], ' versions', [('GREASE' if grease(v) else '%04x'%v) for v in (d['versions'] or [])],
              ' status', d['status'], d.get('status_body',''), ' padding', d['padding'])
        print('  groups:', ' '.join(gname(g) for g in d['groups']))
        print('  key_shares:', ' '.join('%s/%d'%(gname(g),l) for g,l in d['key_shares']))

main()
