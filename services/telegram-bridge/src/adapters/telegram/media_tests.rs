//! Each kind of Telegram media into the port's, and chat files into what is sent.

use grammers_tl_types as tl;

use super::super::double::tl_build;
use super::*;

/// A document of 5,000 bytes in data center 1 (the double's).
fn document(
    mime_type: &str,
    attributes: Vec<tl::enums::DocumentAttribute>,
) -> tl::enums::MessageMedia {
    tl_build::document(11, mime_type, 5_000, attributes)
}

fn file_name(name: &str) -> tl::enums::DocumentAttribute {
    tl::types::DocumentAttributeFilename {
        file_name: name.into(),
    }
    .into()
}

fn audio(voice: bool, duration: i32) -> tl::enums::DocumentAttribute {
    tl::types::DocumentAttributeAudio {
        voice,
        duration,
        title: None,
        performer: None,
        waveform: None,
    }
    .into()
}

fn photo() -> tl::enums::MessageMedia {
    let size = |kind: &str, w, h, size| -> tl::enums::PhotoSize {
        tl::types::PhotoSize {
            r#type: kind.into(),
            w,
            h,
            size,
        }
        .into()
    };
    tl::types::MessageMediaPhoto {
        spoiler: false,
        live_photo: false,
        photo: Some(
            tl::types::Photo {
                has_stickers: false,
                id: 7,
                access_hash: 8,
                file_reference: vec![9],
                date: 0,
                sizes: vec![
                    size("m", 320, 240, 9_000),
                    tl::types::PhotoSizeProgressive {
                        r#type: "y".into(),
                        w: 1_280,
                        h: 960,
                        sizes: vec![10_000, 40_000, 81_000],
                    }
                    .into(),
                    size("x", 800, 600, 30_000),
                ],
                video_sizes: None,
                dc_id: 2,
            }
            .into(),
        ),
        ttl_seconds: None,
        video: None,
    }
    .into()
}

fn file(media: Option<TelegramMedia>) -> MediaFile {
    match media {
        Some(TelegramMedia::File(file)) => file,
        other => panic!("not a file: {other:?}"),
    }
}

fn point(lat: f64, long: f64) -> tl::enums::GeoPoint {
    tl::types::GeoPoint {
        long,
        lat,
        access_hash: 0,
        accuracy_radius: None,
    }
    .into()
}

#[test]
fn a_photo_is_a_jpeg_file_in_its_largest_size() {
    let got = file(map_media(&photo()));
    assert_eq!(got.kind, FileKind::Photo);
    assert_eq!(got.mime_type, "image/jpeg");
    assert_eq!(
        (got.width, got.height, got.size),
        (Some(1_280), Some(960), 81_000)
    );
    assert_eq!(got.name, None);

    let at = file_location(&photo()).expect("downloadable");
    assert_eq!((at.dc_id, at.size), (2, 81_000));
    let tl::enums::InputFileLocation::InputPhotoFileLocation(location) = at.location else {
        panic!("a photo location");
    };
    assert_eq!((location.id, location.access_hash), (7, 8));
    assert_eq!(location.thumb_size, "y");
}

#[test]
fn a_document_keeps_its_name_type_and_size() {
    let raw = document("application/pdf", vec![file_name("report.pdf")]);
    let got = file(map_media(&raw));
    assert_eq!(got.kind, FileKind::Document);
    assert_eq!(got.name.as_deref(), Some("report.pdf"));
    assert_eq!(
        (got.mime_type.as_str(), got.size),
        ("application/pdf", 5_000)
    );

    let at = file_location(&raw).expect("downloadable");
    assert_eq!((at.dc_id, at.size), (1, 5_000));
    assert!(matches!(
        at.location,
        tl::enums::InputFileLocation::InputDocumentFileLocation(_)
    ));
}

#[test]
fn a_voice_note_and_audio_keep_their_duration() {
    let voice = file(map_media(&document("audio/ogg", vec![audio(true, 12)])));
    assert_eq!(
        (voice.kind, voice.duration_secs),
        (FileKind::Voice, Some(12))
    );
    let song = document("audio/mpeg", vec![audio(false, 200), file_name("song.mp3")]);
    let song = file(map_media(&song));
    assert_eq!(
        (song.kind, song.duration_secs),
        (FileKind::Audio, Some(200))
    );
    assert_eq!(song.name.as_deref(), Some("song.mp3"));
}

#[test]
fn a_video_keeps_its_dimensions_and_duration() {
    let attribute = tl::types::DocumentAttributeVideo {
        round_message: false,
        supports_streaming: true,
        nosound: false,
        duration: 3.6,
        w: 640,
        h: 360,
        preload_prefix_size: None,
        video_start_ts: None,
        video_codec: None,
    };
    let video = file(map_media(&document("video/mp4", vec![attribute.into()])));
    assert_eq!(video.kind, FileKind::Video);
    assert_eq!((video.width, video.height), (Some(640), Some(360)));
    assert_eq!(video.duration_secs, Some(4));
}

#[test]
fn a_sticker_is_its_emoji() {
    let sticker = tl::types::DocumentAttributeSticker {
        mask: false,
        alt: "😀".into(),
        stickerset: tl::enums::InputStickerSet::Empty,
        mask_coords: None,
    };
    let raw = document(
        "image/webp",
        vec![file_name("sticker.webp"), sticker.into()],
    );
    assert_eq!(
        map_media(&raw),
        Some(TelegramMedia::Sticker {
            emoji: Some("😀".into())
        })
    );
}

#[test]
fn polls_locations_venues_and_contacts_say_what_they_were() {
    let question = tl::types::TextWithEntities {
        text: "Lunch?".into(),
        entities: vec![],
    };
    let poll: tl::enums::MessageMedia = tl::types::MessageMediaPoll {
        poll: tl::types::Poll {
            id: 1,
            closed: false,
            public_voters: false,
            multiple_choice: false,
            quiz: false,
            open_answers: false,
            revoting_disabled: false,
            shuffle_answers: false,
            hide_results_until_close: false,
            creator: false,
            subscribers_only: false,
            question: question.into(),
            answers: vec![],
            close_period: None,
            close_date: None,
            countries_iso2: None,
            hash: 0,
        }
        .into(),
        results: tl::types::PollResults {
            min: false,
            has_unread_votes: false,
            can_view_stats: false,
            results: None,
            total_voters: None,
            recent_voters: None,
            solution: None,
            solution_entities: None,
            solution_media: None,
        }
        .into(),
        attached_media: None,
    }
    .into();
    let geo: tl::enums::MessageMedia = tl::types::MessageMediaGeo {
        geo: point(55.7512, 37.6184),
    }
    .into();
    let venue: tl::enums::MessageMedia = tl::types::MessageMediaVenue {
        geo: point(1.0, 2.0),
        title: "Cafe".into(),
        address: String::new(),
        provider: String::new(),
        venue_id: String::new(),
        venue_type: String::new(),
    }
    .into();
    let contact: tl::enums::MessageMedia = tl::types::MessageMediaContact {
        phone_number: "+100".into(),
        first_name: "Ann".into(),
        last_name: "Lee".into(),
        vcard: String::new(),
        user_id: 0,
    }
    .into();
    let dice: tl::enums::MessageMedia = tl::types::MessageMediaDice {
        value: 3,
        emoticon: "🎲".into(),
        game_outcome: None,
    }
    .into();
    let shown = |raw: &tl::enums::MessageMedia| map_media(raw).expect("some media").to_string();
    assert_eq!(shown(&poll), "[poll: Lunch?]");
    assert_eq!(shown(&geo), "[location 55.75, 37.62]");
    assert_eq!(shown(&venue), "[location 1.00, 2.00]");
    assert_eq!(shown(&contact), "[contact: Ann Lee]");
    assert_eq!(shown(&dice), "[dice 🎲]");
    assert_eq!(
        shown(&tl::enums::MessageMedia::Unsupported),
        "[message this Telegram version cannot show]"
    );
    assert_eq!(map_media(&tl::enums::MessageMedia::Empty), None);
    assert_eq!(file_location(&contact), None);
}

fn uploaded() -> tl::enums::InputFile {
    tl::types::InputFile {
        id: 1,
        parts: 1,
        name: "x".into(),
        md5_checksum: String::new(),
    }
    .into()
}

fn outgoing(kind: FileKind) -> OutgoingFile<'static> {
    OutgoingFile {
        kind,
        name: "memo.ogg",
        mime_type: "audio/ogg",
        duration_secs: Some(9),
        bytes: b"ogg",
    }
}

#[test]
fn an_image_is_sent_as_a_photo_and_a_file_as_a_named_document() {
    assert!(matches!(
        input_media(outgoing(FileKind::Photo), uploaded()),
        tl::enums::InputMedia::UploadedPhoto(_)
    ));
    let tl::enums::InputMedia::UploadedDocument(doc) =
        input_media(outgoing(FileKind::Document), uploaded())
    else {
        panic!("a document");
    };
    assert!(doc.force_file);
    assert_eq!(doc.mime_type, "audio/ogg");
    assert_eq!(
        doc.attributes,
        vec![file_name("memo.ogg")],
        "no voice attribute on a file"
    );
}

#[test]
fn a_voice_note_is_sent_with_the_voice_attribute_and_its_duration() {
    let tl::enums::InputMedia::UploadedDocument(doc) =
        input_media(outgoing(FileKind::Voice), uploaded())
    else {
        panic!("a document");
    };
    assert!(!doc.force_file);
    assert!(doc.attributes.contains(&audio(true, 9)));
}
