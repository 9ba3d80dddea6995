//! The demo's checklists (检查表) for every item, the answers its results
//! give, and small photos drawn in code (a shop front at the door, as an
//! inspector's phone would take it) attached to some of them.

use crate::domain::account::User;
use crate::domain::evidence::{Answer, MediaType};
use crate::service::Service;
use crate::service::results::{AnswerInput, ResultKey};

/// The market department's items' checklists: point, legal basis, how to check.
const MARKET_CHECKLISTS: &str = "\
item_code,number,point,legal_basis,method
FOOD-01,1,是否持有有效的食品经营许可证并在显著位置公示,《中华人民共和国食品安全法》第三十五条,查验许可证原件及公示情况
FOOD-01,2,从业人员是否持有有效健康证明,《中华人民共和国食品安全法》第四十五条,查阅从业人员健康证明
FOOD-01,3,是否建立并执行进货查验记录制度,《中华人民共和国食品安全法》第五十三条,抽查近三个月进货查验记录
FOOD-01,4,食品贮存是否生熟分开、离地离墙,《中华人民共和国食品安全法》第五十四条,现场查看库房及冷藏设施
FOOD-01,5,是否使用超过保质期的食品原料,《中华人民共和国食品安全法》第三十四条,抽查库存原料标签
FOOD-02,1,是否持有有效的食品经营许可证,《中华人民共和国食品安全法》第三十五条,查验许可证原件
FOOD-02,2,是否按要求对变质或超过保质期的食品及时清理,《中华人民共和国食品安全法》第五十四条,抽查货架及库存食品
FOOD-02,3,散装食品是否标明名称、生产日期及保质期,《中华人民共和国食品安全法》第六十八条,现场查看散装食品标签
FOOD-02,4,是否建立食品进货查验记录,《中华人民共和国食品安全法》第五十三条,查阅进货查验记录
DRUG-01,1,是否持有有效的药品经营许可证,《中华人民共和国药品管理法》第五十一条,查验许可证原件
DRUG-01,2,执业药师是否在岗履职,《中华人民共和国药品管理法》第五十八条,核对执业药师注册信息及在岗情况
DRUG-01,3,处方药是否凭处方销售,《中华人民共和国药品管理法》第五十四条,抽查处方药销售记录
DRUG-01,4,药品购进记录是否真实完整,《中华人民共和国药品管理法》第五十六条,抽查购进记录及票据
SE-01,1,特种设备是否办理使用登记,《中华人民共和国特种设备安全法》第三十三条,查验使用登记证
SE-01,2,特种设备是否在检验有效期内使用,《中华人民共和国特种设备安全法》第四十条,查看定期检验合格标志
SE-01,3,是否配备取得相应资格的作业人员,《中华人民共和国特种设备安全法》第十四条,核对作业人员证书
";

/// The health department's item's checklist.
const HEALTH_CHECKLISTS: &str = "\
item_code,number,point,legal_basis,method
HEALTH-01,1,是否持有有效的公共场所卫生许可证,《公共场所卫生管理条例》第八条,查验卫生许可证原件
HEALTH-01,2,从业人员是否持有有效健康合格证明,《公共场所卫生管理条例》第七条,查阅从业人员健康合格证明
HEALTH-01,3,公共用品用具是否一客一换一消毒,《公共场所卫生管理条例实施细则》第十四条,现场查看消毒记录及保洁间
";

/// Imports the checklists of every demo item.
pub async fn import_checklists(service: &Service, market: &User, health: &User) -> anyhow::Result<()> {
    service.import_checklists(market, MARKET_CHECKLISTS.as_bytes()).await?;
    service.import_checklists(health, HEALTH_CHECKLISTS.as_bytes()).await?;
    Ok(())
}

/// Answers to every point of `item`'s checklist that fit `outcome`: a
/// problem found fails the second point; where nothing could be checked
/// (no activity, not at the address, refused), nothing applies.
pub async fn answers(
    service: &Service,
    user: &User,
    item: &str,
    outcome: &str,
) -> anyhow::Result<Vec<AnswerInput>> {
    let points = service.checklist(user, item).await?;
    Ok(points
        .into_iter()
        .map(|point| {
            let (answer, note) = match outcome {
                "rectify" | "case_filed" if point.number == 2 => {
                    (Answer::NonCompliant, "现场发现问题，已拍照留存。")
                }
                "no_activity" | "not_at_address" | "refused" | "other" => (Answer::NotApplicable, ""),
                _ => (Answer::Compliant, ""),
            };
            AnswerInput { number: point.number, answer, note: note.to_owned() }
        })
        .collect())
}

/// Attaches a photo of the shop front to a saved result.
pub async fn attach_photo(
    service: &Service,
    user: &User,
    key: ResultKey<'_>,
    seed: u8,
) -> anyhow::Result<()> {
    let photo = shop_front(seed);
    service.attach(user, key, &format!("现场照片-{seed}.png"), MediaType::Png, &photo).await?;
    Ok(())
}

const WIDTH: usize = 64;
const HEIGHT: usize = 48;

/// A 64×48 picture of a shop front (sky, wall, a door and a sign whose
/// colour depends on `seed`), as a PNG file of about 9 KiB.
fn shop_front(seed: u8) -> Vec<u8> {
    let sign = [200u8.wrapping_add(seed.wrapping_mul(37)), 40 + seed % 5 * 30, 40];
    let mut rows = Vec::with_capacity(HEIGHT * (1 + WIDTH * 3));
    for y in 0..HEIGHT {
        rows.push(0); // no filter
        for x in 0..WIDTH {
            let pixel = match (x, y) {
                (_, 0..=9) => [140, 190u8.saturating_add(y as u8 * 4), 235],
                (8..=55, 12..=17) => sign,
                (24..=39, 26..=47) => [90, 60, 40],
                (_, 44..=47) => [120, 120, 120],
                _ => [225, 215, 195],
            };
            rows.extend_from_slice(&pixel);
        }
    }
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&(WIDTH as u32).to_be_bytes());
    header.extend_from_slice(&(HEIGHT as u32).to_be_bytes());
    header.extend_from_slice(&[8, 2, 0, 0, 0]); // 8-bit RGB, no interlace
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut png, b"IHDR", &header);
    chunk(&mut png, b"IDAT", &zlib_stored(&rows));
    chunk(&mut png, b"IEND", &[]);
    png
}

fn chunk(png: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    png.extend_from_slice(&(data.len() as u32).to_be_bytes());
    let start = png.len();
    png.extend_from_slice(kind);
    png.extend_from_slice(data);
    let crc = crc32(&png[start..]);
    png.extend_from_slice(&crc.to_be_bytes());
}

/// A zlib stream of uncompressed (stored) deflate blocks: no compressor
/// needed for a picture this small.
fn zlib_stored(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = data.chunks(65_535).collect();
    for (index, block) in blocks.iter().enumerate() {
        out.push(u8::from(index + 1 == blocks.len()));
        let length = block.len() as u16;
        out.extend_from_slice(&length.to_le_bytes());
        out.extend_from_slice(&(!length).to_le_bytes());
        out.extend_from_slice(block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for byte in data {
        a = (a + u32::from(*byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    out.extend_from_slice(&((b << 16) | a).to_be_bytes());
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in bytes {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            crc = if crc & 1 == 1 { (crc >> 1) ^ 0xEDB8_8320 } else { crc >> 1 };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_photo_is_a_small_png() {
        let png = shop_front(1);
        assert!(MediaType::Png.matches(&png));
        assert!(png.len() < 30_000, "{} bytes", png.len());
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926, "the PNG checksum");
        assert_ne!(shop_front(1), shop_front(2));
    }
}
