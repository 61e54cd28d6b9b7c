//! Pictures: decoded with the `image` crate within bounds (pixels counted from the header
//! before any decoding, allocations capped), turned upright, made no larger than
//! [`MAX_STORED_PIXELS`], and encoded anew, which keeps no metadata at all (EXIF with the
//! place a photo was taken, XMP, comments, colour profiles, text chunks). Previews and
//! blurhashes are made from the decoded picture.

use super::Refusal;
use crate::domain::media::{
    Format, MAX_ANIMATION_PIXELS, MAX_INPUT_PIXELS, MAX_STORED_PIXELS, MediaKind, PREVIEW_PIXELS,
};
use fast_image_resize::{FilterType as FirFilter, ResizeAlg, ResizeOptions, Resizer};
use image::{
    AnimationDecoder, DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits,
    codecs::{
        gif::{GifDecoder, GifEncoder, Repeat},
        jpeg::JpegEncoder,
        png::PngEncoder,
    },
};
use std::io::Cursor;

/// The most memory one decoding may allocate (a 33-megapixel RGBA picture is 133 MB).
const MAX_DECODE_ALLOC: u64 = 160 * 1024 * 1024;
const JPEG_QUALITY: u8 = 85;
const PREVIEW_QUALITY: u8 = 80;

/// An encoded picture.
#[derive(Debug)]
pub struct Encoded {
    pub bytes: Vec<u8>,
    pub format: Format,
    pub width: u32,
    pub height: u32,
}

/// A picture made ready: the file to keep, its preview, its blurhash.
#[derive(Debug)]
pub struct Picture {
    pub kind: MediaKind,
    pub file: Encoded,
    pub preview: Encoded,
    pub blurhash: String,
}

fn image_format(format: Format) -> Option<ImageFormat> {
    Some(match format {
        Format::Jpeg => ImageFormat::Jpeg,
        Format::Png => ImageFormat::Png,
        Format::Gif => ImageFormat::Gif,
        Format::Webp => ImageFormat::WebP,
        _ => return None,
    })
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_DECODE_ALLOC);
    limits.max_image_width = Some(32_768);
    limits.max_image_height = Some(32_768);
    limits
}

fn unreadable(e: image::ImageError) -> Refusal {
    match e {
        image::ImageError::Limits(_) => Refusal::TooManyPixels,
        _ => Refusal::Unreadable,
    }
}

/// Decodes `bytes` (whose format was told from them) into a picture ready to store.
pub fn process(bytes: &[u8], format: Format) -> Result<Picture, Refusal> {
    let image_format = image_format(format).ok_or(Refusal::Unsupported)?;
    if format == Format::Gif
        && let Some(animated) = animated_gif(bytes)?
    {
        return Ok(animated);
    }
    let image = fit(
        decode(bytes, image_format)?,
        MAX_STORED_PIXELS,
        ResizeAlg::Convolution(FirFilter::Bilinear),
    );
    let alpha = image.color().has_alpha();
    let file = if alpha || format == Format::Png {
        encode_png(&image)?
    } else {
        encode_jpeg(&image, JPEG_QUALITY)?
    };
    let (preview, blurhash) = preview_of(&image)?;
    Ok(Picture {
        kind: MediaKind::Image,
        file,
        preview,
        blurhash,
    })
}

/// Whether a JPEG ends: an end-of-image marker after its last scan. The decoder fills a
/// truncated picture with grey instead of failing, which would store a damaged photo.
fn jpeg_is_whole(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(at) => bytes[at..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

/// Decodes a still picture, upright, refusing too many pixels before decoding.
pub fn decode(bytes: &[u8], format: ImageFormat) -> Result<DynamicImage, Refusal> {
    if format == ImageFormat::Jpeg && !jpeg_is_whole(bytes) {
        return Err(Refusal::Unreadable);
    }
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    reader.limits(limits());
    let mut decoder = reader.into_decoder().map_err(unreadable)?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(Refusal::Unreadable);
    }
    if u64::from(width) * u64::from(height) > MAX_INPUT_PIXELS {
        return Err(Refusal::TooManyPixels);
    }
    let orientation = decoder
        .orientation()
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(unreadable)?;
    image.apply_orientation(orientation);
    Ok(image)
}

/// A picture as 8-bit RGB, or RGBA when it has transparency (what the encoders and the
/// resizer take); unchanged when it already is.
fn eight_bit(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_) => image,
        other if other.color().has_alpha() => DynamicImage::ImageRgba8(other.to_rgba8()),
        other => DynamicImage::ImageRgb8(other.to_rgb8()),
    }
}

/// The size that fits `max_pixels`, proportions kept; `None` when the picture fits already.
fn fitted_size(image: &DynamicImage, max_pixels: u64) -> Option<(u32, u32)> {
    let (w, h) = (u64::from(image.width()), u64::from(image.height()));
    if w * h <= max_pixels {
        return None;
    }
    let scale = (max_pixels as f64 / (w * h) as f64).sqrt();
    Some((
        ((w as f64 * scale).floor() as u32).max(1),
        ((h as f64 * scale).floor() as u32).max(1),
    ))
}

/// An 8-bit picture resized by `fast_image_resize`, on the 8-bit pixels themselves: `image`'s
/// own resize works on a 32-bit float copy, which for a 12-megapixel photo took 144 MB more
/// than the picture (docs/BENCHMARKS.md, media-memory).
fn resized(source: &DynamicImage, (w, h): (u32, u32), algorithm: ResizeAlg) -> DynamicImage {
    let mut target = DynamicImage::new(w, h, source.color());
    let options = ResizeOptions::new().resize_alg(algorithm);
    match Resizer::new().resize(source, &mut target, &options) {
        Ok(()) => target,
        // Both are 8-bit RGB or RGBA of one layout, which the resizer takes; kept as a
        // fallback rather than a panic.
        Err(_) => source.thumbnail_exact(w, h),
    }
}

/// The picture made no larger than `max_pixels`, as 8-bit RGB or RGBA.
fn fit(image: DynamicImage, max_pixels: u64, algorithm: ResizeAlg) -> DynamicImage {
    let image = eight_bit(image);
    match fitted_size(&image, max_pixels) {
        Some(size) => resized(&image, size, algorithm),
        None => image,
    }
}

fn encode_jpeg(image: &DynamicImage, quality: u8) -> Result<Encoded, Refusal> {
    let converted;
    let rgb = match image.as_rgb8() {
        Some(rgb) => rgb,
        None => {
            converted = image.to_rgb8();
            &converted
        }
    };
    let mut bytes = Vec::new();
    rgb.write_with_encoder(JpegEncoder::new_with_quality(&mut bytes, quality))
        .map_err(|_| Refusal::Unreadable)?;
    Ok(Encoded {
        bytes,
        format: Format::Jpeg,
        width: rgb.width(),
        height: rgb.height(),
    })
}

fn encode_png(image: &DynamicImage) -> Result<Encoded, Refusal> {
    let mut bytes = Vec::new();
    image
        .write_with_encoder(PngEncoder::new(&mut bytes))
        .map_err(|_| Refusal::Unreadable)?;
    Ok(Encoded {
        bytes,
        format: Format::Png,
        width: image.width(),
        height: image.height(),
    })
}

/// The preview (at most [`PREVIEW_PIXELS`]) and the blurhash of a picture.
pub fn preview_of(image: &DynamicImage) -> Result<(Encoded, String), Refusal> {
    let small = match (image, fitted_size(image, PREVIEW_PIXELS)) {
        (DynamicImage::ImageRgb8(_) | DynamicImage::ImageRgba8(_), Some(size)) => {
            resized(image, size, ResizeAlg::SuperSampling(FirFilter::Box, 2))
        }
        (other, _) => fit(
            other.clone(),
            PREVIEW_PIXELS,
            ResizeAlg::SuperSampling(FirFilter::Box, 2),
        ),
    };
    let preview = if small.color().has_alpha() {
        encode_png(&small)?
    } else {
        encode_jpeg(&small, PREVIEW_QUALITY)?
    };
    let tiny = small.thumbnail(32, 32).to_rgba8();
    let blurhash = blurhash::encode(4, 3, tiny.width(), tiny.height(), tiny.as_raw())
        .map_err(|_| Refusal::Unreadable)?;
    Ok((preview, blurhash))
}

/// An animated GIF, encoded anew frame by frame (one frame in memory at a time), or `None`
/// when the GIF has a single frame.
fn animated_gif(bytes: &[u8]) -> Result<Option<Picture>, Refusal> {
    let open = || -> Result<GifDecoder<Cursor<&[u8]>>, Refusal> {
        let mut decoder = GifDecoder::new(Cursor::new(bytes)).map_err(unreadable)?;
        decoder.set_limits(limits()).map_err(unreadable)?;
        let (w, h) = decoder.dimensions();
        if w == 0 || h == 0 {
            return Err(Refusal::Unreadable);
        }
        if u64::from(w) * u64::from(h) > MAX_INPUT_PIXELS {
            return Err(Refusal::TooManyPixels);
        }
        Ok(decoder)
    };
    let decoder = open()?;
    let (w, h) = decoder.dimensions();
    let frame_pixels = u64::from(w) * u64::from(h);
    // A single frame is a still picture: look at two frames at most.
    let mut count = 0u64;
    for frame in decoder.into_frames().take(2) {
        frame.map_err(unreadable)?;
        count += 1;
    }
    if count <= 1 {
        return Ok(None);
    }
    let mut out = Vec::new();
    let mut first: Option<DynamicImage> = None;
    {
        let mut encoder = GifEncoder::new_with_speed(&mut out, 10);
        encoder
            .set_repeat(Repeat::Infinite)
            .map_err(|_| Refusal::Unreadable)?;
        let mut total = 0u64;
        for frame in open()?.into_frames() {
            let frame = frame.map_err(unreadable)?;
            total += frame_pixels;
            if total > MAX_ANIMATION_PIXELS {
                return Err(Refusal::TooManyPixels);
            }
            if first.is_none() {
                first = Some(DynamicImage::ImageRgba8(frame.buffer().clone()));
            }
            encoder
                .encode_frame(frame)
                .map_err(|_| Refusal::Unreadable)?;
        }
    }
    let first = first.ok_or(Refusal::Unreadable)?;
    let (preview, blurhash) = preview_of(&first)?;
    Ok(Some(Picture {
        kind: MediaKind::Image,
        file: Encoded {
            bytes: out,
            format: Format::Gif,
            width: w,
            height: h,
        },
        preview,
        blurhash,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pictures_are_fitted_to_a_pixel_count_keeping_proportions() {
        let wide = DynamicImage::ImageRgb8(image::RgbImage::from_pixel(
            400,
            300,
            image::Rgb([9, 99, 199]),
        ));
        let small = fit(
            wide.clone(),
            10_000,
            ResizeAlg::Convolution(FirFilter::Bilinear),
        );
        assert_eq!((small.width(), small.height()), (115, 86));
        assert_eq!(
            small.as_rgb8().unwrap().get_pixel(50, 50),
            &image::Rgb([9, 99, 199])
        );
        let same = fit(wide, 120_000, ResizeAlg::Convolution(FirFilter::Bilinear));
        assert_eq!((same.width(), same.height()), (400, 300));
        // 16-bit and grey pictures become 8-bit RGB; transparency stays.
        let deep = DynamicImage::ImageRgba16(image::ImageBuffer::from_pixel(
            300,
            300,
            image::Rgba([0u16, 65535, 0, 32768]),
        ));
        let fitted = fit(deep, 900, ResizeAlg::Convolution(FirFilter::Bilinear));
        assert_eq!((fitted.width(), fitted.height()), (30, 30));
        assert!(fitted.as_rgba8().is_some());
        let grey = DynamicImage::ImageLuma8(image::GrayImage::from_pixel(10, 10, image::Luma([7])));
        assert!(fit(grey, 1_000, ResizeAlg::Nearest).as_rgb8().is_some());
    }
}
