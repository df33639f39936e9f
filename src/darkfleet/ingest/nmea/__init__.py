"""NMEA AIS decoder: ``!xxVDM``/``!xxVDO`` with tag blocks, $PGHP and multipart messages.

Numba kernels do the work (line framing, reassembly, 6-bit decoding) so a chunk of a
million lines decodes without a Python loop per line. See :func:`read_nmea`.
"""

from darkfleet.ingest.nmea.reader import read_nmea

__all__ = ["read_nmea"]
