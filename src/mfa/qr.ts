import QRCode from 'qrcode';

/** QR rendering options: error correction `M`, 4-module quiet zone (ISO/IEC 18004 §6.3.8). */
const OPTIONS = { errorCorrectionLevel: 'M', margin: 4 } as const;

/**
 * Renders `text` (an `otpauth://` URI) as a PNG `data:image/png;base64,…` URL for an `<img src>`.
 * @param width image width in pixels; default 256.
 */
export async function qrDataUrl(text: string, width = 256): Promise<string> {
  return QRCode.toDataURL(text, { ...OPTIONS, width });
}

/** Renders `text` as a standalone SVG document (scales without blur; embed inline). */
export async function qrSvg(text: string): Promise<string> {
  return QRCode.toString(text, { ...OPTIONS, type: 'svg' });
}
